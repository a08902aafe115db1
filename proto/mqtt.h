/* mqtt.h: the first MQTT control packet of a stream, as far as HAProxy's
 * mqtt_is_valid / mqtt_field_value converters read it: the fixed header
 * of every packet type, and CONNECT / CONNACK in full (MQTT 3.1, 3.1.1
 * and 5.0 with their properties). No I/O, no allocation; string results
 * point into the caller's buffer. */
#ifndef RP_MQTT_H
#define RP_MQTT_H

#include <stddef.h>
#include <stdint.h>

#define MQTT_INVALID  -1
#define MQTT_AGAIN     0          /* the packet is not complete yet */
#define MQTT_VALID     1

/* Control packet types (the fixed header's high nibble). */
enum mqtt_type { MQTT_T_INVALID = 0, MQTT_T_CONNECT, MQTT_T_CONNACK, MQTT_T_PUBLISH, MQTT_T_PUBACK,
                 MQTT_T_PUBREC, MQTT_T_PUBREL, MQTT_T_PUBCOMP, MQTT_T_SUBSCRIBE, MQTT_T_SUBACK,
                 MQTT_T_UNSUBSCRIBE, MQTT_T_UNSUBACK, MQTT_T_PINGREQ, MQTT_T_PINGRESP,
                 MQTT_T_DISCONNECT, MQTT_T_AUTH, MQTT_T_TYPES };

/* Returns MQTT_VALID when the buffer starts with a complete, well-formed
 * CONNECT or CONNACK packet, MQTT_AGAIN when more bytes are needed, and
 * MQTT_INVALID otherwise (other packet types included, as HAProxy). */
int mqtt_validate(const uint8_t *p, size_t len);

/* Returns the packet type named <name> (a number or "CONNECT"...), or 0. */
int mqtt_type_id(const char *name, size_t len);
/* Returns the field id for <name> (as "client_identifier", or a property
 * number "17") if packet <type> has it, or 0. */
int mqtt_field_id(int type, const char *name, size_t len);

/* Extracts field <field> (an id from mqtt_field_id()) of the packet at
 * the start of the buffer, which must be of <type>. Returns 1 with the
 * value: a string in <str>/<slen>, or a number in <num> (*is_num = 1);
 * 0 when the field is absent or the packet invalid; MQTT_AGAIN (-2 here)
 * when more bytes are needed. */
#define MQTT_FIELD_AGAIN -2
int mqtt_field(const uint8_t *p, size_t len, int type, int field,
               const uint8_t **str, size_t *slen, uint32_t *num, int *is_num);

#endif
