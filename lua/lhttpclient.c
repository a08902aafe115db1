/* lhttpclient.c: core.httpclient(), HAProxy 2.5+'s HTTPClient class
 * (get/head/put/post/delete with a request table {url, headers, body, dst,
 * timeout}, answering {status, reason, headers, body}). It is written in
 * Lua over the Socket class (lsock.c): the request is sent on a fresh
 * connection with "connection: close" and the answer read to its end
 * (content-length, chunked, or the close), each wait suspending only the
 * calling coroutine as Socket calls do. Usable where core.tcp() is (tasks
 * and actions). Header values come indexed from 0, names in lower case, as
 * HAProxy gives them. A failure answers as HAProxy's client proxy does:
 * 503 when the server cannot be reached, 504 on its timeout, 502 for an
 * invalid or cut response; a bad URL is a Lua error. */
#include <lauxlib.h>
#include <lua.h>

#include "lua/hlua.h"

static const char httpclient_lua[] =
"local core = ...\n"
"local HC = {}\n"
"HC.__index = HC\n"
"local pages = {\n"
"  [502] = { 'Bad Gateway', 'The server returned an invalid or incomplete response.' },\n"
"  [503] = { 'Service Unavailable', 'No server is available to handle this request.' },\n"
"  [504] = { 'Gateway Timeout', 'The server didn\\'t respond in time.' },\n"
"}\n"
/* a request that fails gets the answer HAProxy's client proxy would give */
"local function fail(code)\n"
"  local p = pages[code]\n"
"  return { status = code, reason = p[1],\n"
"           headers = { ['content-type'] = { [0] = 'text/html' }, ['cache-control'] = { [0] = 'no-cache' } },\n"
"           body = '<html><body><h1>' .. code .. ' ' .. p[1] .. '</h1>\\n' .. p[2] .. '\\n</body></html>\\n' }\n"
"end\n"
/* reads one CRLF-terminated line (Socket's *l drops the CR) */
"local function line(s)\n"
"  return s:receive('*l')\n"
"end\n"
"local function request(self, method, r)\n"
"  if type(r) ~= 'table' or type(r.url) ~= 'string' then\n"
"    error('httpclient: the request needs a url', 3)\n"
"  end\n"
"  local scheme, auth, path = r.url:match('^(%a+)://([^/?#]*)(.*)$')\n"
"  if not scheme then error('httpclient: invalid url', 3) end\n"
"  scheme = scheme:lower()\n"
"  if scheme ~= 'http' and scheme ~= 'https' then error('httpclient: unsupported scheme', 3) end\n"
"  if path == '' then path = '/' end\n"
"  local host, port = auth:match('^%[(.+)%]:?(%d*)$')\n"
"  if not host then host, port = auth:match('^([^:]*):?(%d*)$') end\n"
"  if not host or host == '' then error('httpclient: invalid url', 3) end\n"
"  if port == '' then port = (scheme == 'https') and 443 or 80 end\n"
"  local s = core.tcp()\n"
"  if r.timeout then s:settimeout(tonumber(r.timeout) / 1000) end\n"
"  local ok, err\n"
"  local dst = r.dst\n"
"  if scheme == 'https' then\n"
"    if dst then ok, err = s:connect_ssl(dst) else ok, err = s:connect_ssl(host, tonumber(port)) end\n"
"  else\n"
"    if dst then ok, err = s:connect(dst) else ok, err = s:connect(host, tonumber(port)) end\n"
"  end\n"
"  if not ok then s:close() return fail(err == 'timeout' and 504 or 503) end\n"
"  local req = { method, ' ', path, ' HTTP/1.1\\r\\n' }\n"
"  local has = {}\n"
"  for name, vals in pairs(r.headers or {}) do\n"
"    local lname = tostring(name):lower()\n"
"    has[lname] = true\n"
"    if type(vals) ~= 'table' then vals = { vals } end\n"
"    for _, v in pairs(vals) do\n"
"      req[#req + 1] = name .. ': ' .. tostring(v) .. '\\r\\n'\n"
"    end\n"
"  end\n"
"  if not has['host'] then req[#req + 1] = 'host: ' .. auth .. '\\r\\n' end\n"
"  if r.body and not has['content-length'] then\n"
"    req[#req + 1] = 'content-length: ' .. #r.body .. '\\r\\n'\n"
"  end\n"
"  req[#req + 1] = 'connection: close\\r\\n\\r\\n'\n"
"  if r.body then req[#req + 1] = r.body end\n"
"  ok, err = s:send(table.concat(req))\n"
"  if not ok then s:close() return fail(503) end\n"
"  local st, serr = line(s)\n"
"  local status, reason = (st or ''):match('^HTTP/%d%.%d (%d%d%d) ?(.*)$')\n"
"  if not status then s:close() return fail(serr == 'timeout' and 504 or 502) end\n"
"  local res = { status = tonumber(status), reason = reason, headers = {}, body = '' }\n"
"  local clen, chunked\n"
"  while true do\n"
"    local h = line(s)\n"
"    if not h then s:close() return fail(502) end\n"
"    if h == '' then break end\n"
"    local n, v = h:match('^([^:]+):%s*(.-)%s*$')\n"
"    if n then\n"
"      n = n:lower()\n"
"      local t = res.headers[n]\n"
"      if t then t[#t + 1] = v else res.headers[n] = { [0] = v } end\n"
"      if n == 'content-length' then clen = tonumber(v) end\n"
"      if n == 'transfer-encoding' and v:lower():find('chunked', 1, true) then chunked = true end\n"
"    end\n"
"  end\n"
"  local nobody = method == 'HEAD' or res.status == 204 or res.status == 304 or res.status < 200\n"
"  if nobody then\n"
"  elseif chunked then\n"
"    local parts = {}\n"
"    while true do\n"
"      local sz = tonumber(((line(s) or ''):match('^%x+')) or '', 16)\n"
"      if not sz then break end\n"
"      if sz == 0 then\n"
"        repeat local t = line(s) until not t or t == ''\n"
"        break\n"
"      end\n"
"      local d = s:receive(sz)\n"
"      if not d then break end\n"
"      parts[#parts + 1] = d\n"
"      line(s)\n"
"    end\n"
"    res.body = table.concat(parts)\n"
"  elseif clen then\n"
"    res.body = clen > 0 and (s:receive(clen) or '') or ''\n"
"  else\n"
"    local d, _, partial = s:receive('*a')\n"
"    res.body = d or partial or ''\n"
"  end\n"
"  s:close()\n"
"  return res\n"
"end\n"
"for _, m in ipairs({ 'get', 'head', 'put', 'post', 'delete' }) do\n"
"  local M = m:upper()\n"
"  HC[m] = function(self, r) return request(self, M, r) end\n"
"end\n"
"core.httpclient = function() return setmetatable({}, HC) end\n";

void hlua_httpclient_open(lua_State *L)
{
	/* a chunk of our own text: it cannot fail to load or run but under
	 * memory exhaustion, where the state is not usable anyway */
	if (luaL_loadbufferx(L, httpclient_lua, sizeof(httpclient_lua) - 1, "=httpclient", "t") != LUA_OK) {
		lua_pop(L, 1);
		return;
	}
	lua_getglobal(L, "core");
	if (lua_pcall(L, 1, 0, 0) != LUA_OK)
		lua_pop(L, 1);
}
