/* main.c: command line, start-up order and the process's life (signals,
 * pidfile, daemon). First version: parses the command line and checks the
 * configuration (-c); running the proxy comes with the loop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine/cfg.h"
#include "engine/log.h"

#define RP_VERSION "0.1.0"

static void usage(const char *prog)
{
	fprintf(stderr, "Usage : %s [-f <cfgfile|cfgdir>]* [ -vdVD ] [ -p <pidfile> ] [ -c ] [ -q ]\n"
	        "        [ -sf|-st <pid>* ]\n", prog);
	exit(1);
}

int main(int argc, char **argv)
{
	static struct config cfg;
	char **files = calloc((size_t)argc + 1, sizeof(char *));
	int nfiles = 0, check = 0;

	if (!files)
		return 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-f") && i + 1 < argc)
			files[nfiles++] = argv[++i];
		else if (!strcmp(argv[i], "-c"))
			check = 1;
		else if (!strcmp(argv[i], "-q"))
			log_set_quiet(1);
		else if (!strcmp(argv[i], "-v")) {
			printf("ringproxy version " RP_VERSION "\n");
			return 0;
		} else
			usage(argv[0]);
	}
	if (!nfiles)
		usage(argv[0]);
	if (cfg_parse_files(&cfg, files) != 0) {
		rp_alert("config : Fatal errors found in configuration.");
		return 1;
	}
	if (check) {
		printf("Configuration file is valid\n");
		return 0;
	}
	rp_alert("running the proxy is not implemented yet");
	return 1;
}
