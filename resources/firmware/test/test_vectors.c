/*
 * Host-side test of foresight_link.h against the shared test vectors.
 *
 *   cc -std=c99 -Wall -Wextra -Werror -pedantic -I resources/firmware \
 *      resources/firmware/test/test_vectors.c -o /tmp/test_vectors
 *   /tmp/test_vectors test/vectors/link-vectors.json
 *
 * For every frame vector: the C encoder produces frame_hex and wire_hex from the message's
 * field values, and the C stream decoder turns wire_hex (fed byte by byte) back into the
 * same header and field values, bit for bit. Negative and stream vectors must produce the
 * stated errors, in order. Also checks CRC and COBS vectors, the watchdog and the clock.
 * Exits 0 when everything passes; prints every failure otherwise.
 *
 * Contains a small JSON reader for this file's shape (objects, arrays, strings, numbers,
 * booleans); numbers keep their source text so integers up to 2^64 stay exact.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "foresight_link.h"

/* ------------------------------------------------------------------------ reporting */

static int failures = 0;
static long checks = 0;
static const char *current = "";

#define CHECK(cond, ...)                                 \
  do {                                                   \
    checks++;                                            \
    if (!(cond)) {                                       \
      failures++;                                        \
      fprintf(stderr, "FAIL [%s] %s:%d: ", current, __FILE__, __LINE__); \
      fprintf(stderr, __VA_ARGS__);                      \
      fputc('\n', stderr);                               \
    }                                                    \
  } while (0)

/* ------------------------------------------------------------------------ tiny JSON */

typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } jtype;

typedef struct jnode {
  jtype type;
  int boolean;
  char *str;      /* J_STR: decoded UTF-8; J_NUM: source text */
  size_t str_len;
  struct jnode *items; /* J_ARR / J_OBJ values */
  char **keys;         /* J_OBJ */
  size_t count;
} jnode;

typedef struct {
  const char *s;
  size_t at, len;
  int err;
} jparser;

static void jfail(jparser *p, const char *what) {
  if (!p->err) fprintf(stderr, "JSON error at byte %lu: %s\n", (unsigned long)p->at, what);
  p->err = 1;
}

static void jws(jparser *p) {
  while (p->at < p->len && (p->s[p->at] == ' ' || p->s[p->at] == '\n' || p->s[p->at] == '\r' || p->s[p->at] == '\t')) p->at++;
}

static void jput_utf8(char *out, size_t *n, unsigned cp) {
  if (cp < 0x80) out[(*n)++] = (char)cp;
  else if (cp < 0x800) {
    out[(*n)++] = (char)(0xC0 | (cp >> 6));
    out[(*n)++] = (char)(0x80 | (cp & 0x3F));
  } else {
    out[(*n)++] = (char)(0xE0 | (cp >> 12));
    out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[(*n)++] = (char)(0x80 | (cp & 0x3F));
  }
}

static char *jstring(jparser *p, size_t *out_len) {
  size_t start, n = 0;
  char *out;
  if (p->s[p->at] != '"') {
    jfail(p, "expected string");
    return NULL;
  }
  start = ++p->at;
  while (p->at < p->len && p->s[p->at] != '"') p->at += p->s[p->at] == '\\' ? 2 : 1;
  if (p->at >= p->len) {
    jfail(p, "unterminated string");
    return NULL;
  }
  out = (char *)malloc(p->at - start + 1);
  for (size_t i = start; i < p->at; i++) {
    char c = p->s[i];
    if (c != '\\') {
      out[n++] = c;
      continue;
    }
    c = p->s[++i];
    switch (c) {
      case 'n': out[n++] = '\n'; break;
      case 't': out[n++] = '\t'; break;
      case 'r': out[n++] = '\r'; break;
      case 'b': out[n++] = '\b'; break;
      case 'f': out[n++] = '\f'; break;
      case 'u': {
        char hex[5] = {0};
        memcpy(hex, p->s + i + 1, 4);
        jput_utf8(out, &n, (unsigned)strtoul(hex, NULL, 16)); /* BMP only: enough for this file */
        i += 4;
        break;
      }
      default: out[n++] = c; break; /* \" \\ \/ */
    }
  }
  out[n] = '\0';
  p->at++;
  *out_len = n;
  return out;
}

static void jvalue(jparser *p, jnode *node);

static void jpush(jnode *node, size_t *cap, char *key, jnode *value) {
  if (node->count == *cap) {
    *cap = *cap ? *cap * 2 : 8;
    node->items = (jnode *)realloc(node->items, *cap * sizeof *node->items);
    if (node->type == J_OBJ) node->keys = (char **)realloc(node->keys, *cap * sizeof *node->keys);
  }
  node->items[node->count] = *value;
  if (node->type == J_OBJ) node->keys[node->count] = key;
  node->count++;
}

static void jvalue(jparser *p, jnode *node) {
  memset(node, 0, sizeof *node);
  jws(p);
  if (p->err || p->at >= p->len) {
    jfail(p, "unexpected end");
    return;
  }
  switch (p->s[p->at]) {
    case '{':
    case '[': {
      int obj = p->s[p->at] == '{';
      char close = obj ? '}' : ']';
      size_t cap = 0;
      node->type = obj ? J_OBJ : J_ARR;
      p->at++;
      jws(p);
      if (p->at < p->len && p->s[p->at] == close) {
        p->at++;
        return;
      }
      for (;;) {
        char *key = NULL;
        size_t key_len;
        jnode value;
        jws(p);
        if (obj) {
          key = jstring(p, &key_len);
          jws(p);
          if (p->err || p->s[p->at] != ':') {
            jfail(p, "expected ':'");
            return;
          }
          p->at++;
        }
        jvalue(p, &value);
        if (p->err) return;
        jpush(node, &cap, key, &value);
        jws(p);
        if (p->at < p->len && p->s[p->at] == ',') {
          p->at++;
          continue;
        }
        if (p->at < p->len && p->s[p->at] == close) {
          p->at++;
          return;
        }
        jfail(p, "expected ',' or close");
        return;
      }
    }
    case '"':
      node->type = J_STR;
      node->str = jstring(p, &node->str_len);
      return;
    case 't':
    case 'f':
    case 'n':
      if (strncmp(p->s + p->at, "true", 4) == 0) { node->type = J_BOOL; node->boolean = 1; p->at += 4; }
      else if (strncmp(p->s + p->at, "false", 5) == 0) { node->type = J_BOOL; p->at += 5; }
      else if (strncmp(p->s + p->at, "null", 4) == 0) { node->type = J_NULL; p->at += 4; }
      else jfail(p, "bad literal");
      return;
    default: {
      size_t start = p->at;
      while (p->at < p->len && strchr("+-0123456789.eE", p->s[p->at]) && p->s[p->at] != '\0') p->at++;
      if (p->at == start) {
        jfail(p, "unexpected character");
        return;
      }
      node->type = J_NUM;
      node->str_len = p->at - start;
      node->str = (char *)malloc(node->str_len + 1);
      memcpy(node->str, p->s + start, node->str_len);
      node->str[node->str_len] = '\0';
      return;
    }
  }
}

static const jnode *jget(const jnode *obj, const char *key) {
  if (!obj || obj->type != J_OBJ) return NULL;
  for (size_t i = 0; i < obj->count; i++)
    if (strcmp(obj->keys[i], key) == 0) return &obj->items[i];
  return NULL;
}

static const char *jstr(const jnode *n) { return n && n->type == J_STR ? n->str : ""; }

/** Integer value of a JSON number, exact (from the source text). */
static unsigned long long jint(const jnode *n) {
  if (!n || n->type != J_NUM) return 0;
  if (strpbrk(n->str, ".eE-")) return (unsigned long long)strtod(n->str, NULL);
  return strtoull(n->str, NULL, 10);
}

/** binary32 value of a JSON number or of "NaN" / "Infinity" / "-Infinity". */
static float jfloat(const jnode *n) {
  if (n && n->type == J_STR) {
    if (strcmp(n->str, "NaN") == 0) return (float)NAN;
    if (strcmp(n->str, "Infinity") == 0) return (float)INFINITY;
    if (strcmp(n->str, "-Infinity") == 0) return -(float)INFINITY;
  }
  if (!n || n->type != J_NUM) return 0.0f;
  return (float)strtod(n->str, NULL);
}

/* ------------------------------------------------------------------------ hex */

static uint8_t *unhex(const char *hex, size_t *len) {
  size_t n = strlen(hex) / 2;
  uint8_t *out = (uint8_t *)malloc(n ? n : 1);
  for (size_t i = 0; i < n; i++) {
    char byte[3] = {hex[2 * i], hex[2 * i + 1], 0};
    out[i] = (uint8_t)strtoul(byte, NULL, 16);
  }
  *len = n;
  return out;
}

static int same_bytes(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen, const char *what) {
  if (alen != blen) {
    fprintf(stderr, "  %s: length %lu, expected %lu\n", what, (unsigned long)alen, (unsigned long)blen);
    return 0;
  }
  for (size_t i = 0; i < alen; i++) {
    if (a[i] != b[i]) {
      fprintf(stderr, "  %s: byte %lu is %02x, expected %02x\n", what, (unsigned long)i, a[i], b[i]);
      return 0;
    }
  }
  return 1;
}

/* ------------------------------------------------------------------------ field table */

typedef enum { F_F32, F_U8, F_U16, F_U32, F_U64, F_BOOL, F_NAME, F_RANGES } fkind;

typedef struct {
  uint8_t type;
  const char *json;  /* field name in JSON (src/shared/protocol.ts) */
  fkind kind;
  size_t offset;     /* offset inside fl_frame */
} field;

#define FH(js, k, m) {FL_MSG_HELLO, js, k, offsetof(fl_frame, u.hello.m)}
#define FX(t, tp, js, k, m) {t, js, k, offsetof(fl_frame, u.tp.m)}

static const field FIELDS[] = {
  FH("protocolVersion", F_U8, protocol_version),
  FH("name", F_NAME, name),
  FH("footprintLength", F_F32, footprint_length),
  FH("footprintWidth", F_F32, footprint_width),
  FH("footprintCenterOffsetX", F_F32, footprint_center_offset_x),
  FH("wheelBase", F_F32, wheel_base),
  FH("maxLinearVelocity", F_F32, max_linear_velocity),
  FH("maxAngularVelocity", F_F32, max_angular_velocity),
  FH("maxLinearAccel", F_F32, max_linear_accel),
  FH("maxAngularAccel", F_F32, max_angular_accel),
  FH("maxLinearJerk", F_F32, max_linear_jerk),
  FH("maxAngularJerk", F_F32, max_angular_jerk),
  FH("panMin", F_F32, pan_min),
  FH("panMax", F_F32, pan_max),
  FH("panMaxRate", F_F32, pan_max_rate),
  FH("panMaxAccel", F_F32, pan_max_accel),
  FH("lidarBeams", F_U16, lidar_beams),
  FH("lidarAngleMin", F_F32, lidar_angle_min),
  FH("lidarAngleIncrement", F_F32, lidar_angle_increment),
  FH("lidarRangeMin", F_F32, lidar_range_min),
  FH("lidarRangeMax", F_F32, lidar_range_max),
  FH("lidarRateHz", F_F32, lidar_rate_hz),
  FH("lidarMountX", F_F32, lidar_mount_x),
  FH("lidarMountY", F_F32, lidar_mount_y),
  FH("lidarMountYaw", F_F32, lidar_mount_yaw),
  FX(FL_MSG_ODOMETRY, odometry, "x", F_F32, x),
  FX(FL_MSG_ODOMETRY, odometry, "y", F_F32, y),
  FX(FL_MSG_ODOMETRY, odometry, "theta", F_F32, theta),
  FX(FL_MSG_ODOMETRY, odometry, "v", F_F32, v),
  FX(FL_MSG_ODOMETRY, odometry, "w", F_F32, w),
  FX(FL_MSG_ODOMETRY, odometry, "lastCommandSeq", F_U16, last_command_seq),
  FX(FL_MSG_LASER_SCAN, laser_scan, "angleMin", F_F32, angle_min),
  FX(FL_MSG_LASER_SCAN, laser_scan, "angleIncrement", F_F32, angle_increment),
  FX(FL_MSG_LASER_SCAN, laser_scan, "timeIncrement", F_F32, time_increment),
  FX(FL_MSG_LASER_SCAN, laser_scan, "rangeMin", F_F32, range_min),
  FX(FL_MSG_LASER_SCAN, laser_scan, "rangeMax", F_F32, range_max),
  FX(FL_MSG_LASER_SCAN, laser_scan, "ranges", F_RANGES, count),
  FX(FL_MSG_STATUS, status, "batteryVoltage", F_F32, battery_voltage),
  FX(FL_MSG_STATUS, status, "batteryPercent", F_U8, battery_percent),
  FX(FL_MSG_STATUS, status, "faults", F_U32, faults),
  FX(FL_MSG_STATUS, status, "estopPressed", F_BOOL, estop_pressed),
  FX(FL_MSG_STATUS, status, "motorsEnabled", F_BOOL, motors_enabled),
  FX(FL_MSG_SCREEN_STATE, screen_state, "panAngle", F_F32, pan_angle),
  FX(FL_MSG_SCREEN_STATE, screen_state, "panVelocity", F_F32, pan_velocity),
  FX(FL_MSG_PONG, pong, "pingSeq", F_U16, ping_seq),
  FX(FL_MSG_PONG, pong, "hostTimeUs", F_U64, host_time_us),
  FX(FL_MSG_PONG, pong, "robotRxTimeUs", F_U64, robot_rx_time_us),
  FX(FL_MSG_VELOCITY_COMMAND, velocity_command, "v", F_F32, v),
  FX(FL_MSG_VELOCITY_COMMAND, velocity_command, "w", F_F32, w),
  FX(FL_MSG_SCREEN_COMMAND, screen_command, "panAngle", F_F32, pan_angle),
  FX(FL_MSG_SCREEN_COMMAND, screen_command, "maxRate", F_F32, max_rate),
  FX(FL_MSG_STOP, stop, "reason", F_U8, reason),
  FX(FL_MSG_PING, ping, "requestHello", F_BOOL, request_hello),
};
#define NFIELDS (sizeof FIELDS / sizeof FIELDS[0])

static const struct {
  const char *name;
  uint8_t id;
} TYPES[] = {
  {"hello", FL_MSG_HELLO}, {"odometry", FL_MSG_ODOMETRY}, {"laser-scan", FL_MSG_LASER_SCAN},
  {"status", FL_MSG_STATUS}, {"screen-state", FL_MSG_SCREEN_STATE}, {"pong", FL_MSG_PONG},
  {"velocity-command", FL_MSG_VELOCITY_COMMAND}, {"screen-command", FL_MSG_SCREEN_COMMAND},
  {"stop", FL_MSG_STOP}, {"ping", FL_MSG_PING},
};

static int type_id(const char *name) {
  for (size_t i = 0; i < sizeof TYPES / sizeof TYPES[0]; i++)
    if (strcmp(TYPES[i].name, name) == 0) return TYPES[i].id;
  return -1;
}

static int same_float(float got, float want) {
  if (isnan(want)) return isnan(got) != 0;
  return fl_float_bits(got) == fl_float_bits(want);
}

/** Scratch storage for encoded scan ranges. */
static float range_store[FL_MAX_SCAN_BEAMS];

/** Fills f->u from the JSON message. Returns the number of fields set. */
static size_t fill_message(fl_frame *f, const jnode *msg) {
  size_t set = 0;
  uint8_t *base = (uint8_t *)f;
  for (size_t i = 0; i < NFIELDS; i++) {
    const field *fd = &FIELDS[i];
    const jnode *v;
    if (fd->type != f->type) continue;
    v = jget(msg, fd->json);
    CHECK(v != NULL, "message lacks field %s", fd->json);
    if (!v) continue;
    set++;
    switch (fd->kind) {
      case F_F32: { float x = jfloat(v); memcpy(base + fd->offset, &x, sizeof x); break; }
      case F_U8: base[fd->offset] = (uint8_t)jint(v); break;
      case F_BOOL: base[fd->offset] = (uint8_t)(v->type == J_BOOL && v->boolean); break;
      case F_U16: { uint16_t x = (uint16_t)jint(v); memcpy(base + fd->offset, &x, sizeof x); break; }
      case F_U32: { uint32_t x = (uint32_t)jint(v); memcpy(base + fd->offset, &x, sizeof x); break; }
      case F_U64: { uint64_t x = (uint64_t)jint(v); memcpy(base + fd->offset, &x, sizeof x); break; }
      case F_NAME: {
        size_t n = v->str_len > FL_NAME_MAX_BYTES ? FL_NAME_MAX_BYTES : v->str_len;
        memcpy(f->u.hello.name, v->str, n);
        f->u.hello.name_len = (uint8_t)n;
        break;
      }
      case F_RANGES: {
        CHECK(v->type == J_ARR && v->count <= FL_MAX_SCAN_BEAMS, "ranges is not an array of ≤ 1000");
        for (size_t k = 0; k < v->count && k < FL_MAX_SCAN_BEAMS; k++) range_store[k] = jfloat(&v->items[k]);
        f->u.laser_scan.count = (uint16_t)v->count;
        f->u.laser_scan.ranges = range_store;
        break;
      }
    }
  }
  return set;
}

/** Compares the decoded f->u with the JSON message, field by field. */
static void compare_message(const fl_frame *f, const jnode *msg) {
  const uint8_t *base = (const uint8_t *)f;
  for (size_t i = 0; i < NFIELDS; i++) {
    const field *fd = &FIELDS[i];
    const jnode *v;
    if (fd->type != f->type) continue;
    v = jget(msg, fd->json);
    if (!v) continue; /* reported by fill_message */
    switch (fd->kind) {
      case F_F32: {
        float got, want = jfloat(v);
        memcpy(&got, base + fd->offset, sizeof got);
        CHECK(same_float(got, want), "%s = %.9g (0x%08lx), expected %.9g", fd->json, (double)got, (unsigned long)fl_float_bits(got), (double)want);
        break;
      }
      case F_U8:
        CHECK(base[fd->offset] == jint(v), "%s = %u, expected %llu", fd->json, base[fd->offset], jint(v));
        break;
      case F_BOOL:
        CHECK(base[fd->offset] == (uint8_t)(v->type == J_BOOL && v->boolean), "%s = %u", fd->json, base[fd->offset]);
        break;
      case F_U16: {
        uint16_t got;
        memcpy(&got, base + fd->offset, sizeof got);
        CHECK(got == jint(v), "%s = %u, expected %llu", fd->json, got, jint(v));
        break;
      }
      case F_U32: {
        uint32_t got;
        memcpy(&got, base + fd->offset, sizeof got);
        CHECK(got == jint(v), "%s = %lu, expected %llu", fd->json, (unsigned long)got, jint(v));
        break;
      }
      case F_U64: {
        uint64_t got;
        memcpy(&got, base + fd->offset, sizeof got);
        CHECK(got == jint(v), "%s = %llu, expected %llu", fd->json, (unsigned long long)got, jint(v));
        break;
      }
      case F_NAME:
        CHECK(f->u.hello.name_len == v->str_len && memcmp(f->u.hello.name, v->str, v->str_len) == 0 &&
                  f->u.hello.name[f->u.hello.name_len] == '\0',
              "name = '%s', expected '%s'", f->u.hello.name, v->str);
        break;
      case F_RANGES: {
        const fl_laser_scan *s = &f->u.laser_scan;
        CHECK(s->count == v->count, "ranges: %u beams, expected %lu", s->count, (unsigned long)v->count);
        CHECK(s->ranges == NULL && (s->count == 0 || s->ranges_le != NULL), "decoded scan must point at ranges_le");
        for (uint16_t k = 0; k < s->count && k < v->count; k++) {
          float got = fl_laser_scan_range(s, k), want = jfloat(&v->items[k]);
          CHECK(same_float(got, want), "ranges[%u] = %.9g, expected %.9g", k, (double)got, (double)want);
        }
        break;
      }
    }
  }
  /* Every JSON field must be known to the C side (catches a field added in TS only). */
  for (size_t k = 0; k < msg->count; k++) {
    int known = strcmp(msg->keys[k], "type") == 0;
    for (size_t i = 0; i < NFIELDS && !known; i++) known = FIELDS[i].type == f->type && strcmp(FIELDS[i].json, msg->keys[k]) == 0;
    CHECK(known, "JSON field %s has no C counterpart", msg->keys[k]);
  }
}

/* ------------------------------------------------------------------------ byte sink */

typedef struct {
  uint8_t buf[FL_MAX_WIRE_BYTES + 16];
  size_t len;
} sink;

static void sink_put(void *ctx, uint8_t byte) {
  sink *s = (sink *)ctx;
  if (s->len < sizeof s->buf) s->buf[s->len] = byte;
  s->len++;
}

/* ------------------------------------------------------------------------ tests */

static uint8_t rx_buf[FL_MAX_WIRE_BYTES];
static uint8_t out_buf[FL_MAX_WIRE_BYTES + 64];
static sink snk;

/** Feeds wire to a fresh decoder; writes the non-NONE results to res (max n). Returns how many. */
static size_t run_stream(fl_decoder *d, const uint8_t *wire, size_t len, fl_result *res, size_t n, fl_frame *frames, uint8_t **bodies, size_t *body_lens) {
  size_t k = 0;
  fl_decoder_init(d, rx_buf, sizeof rx_buf);
  for (size_t i = 0; i < len; i++) {
    fl_frame f;
    fl_result r = fl_decoder_push(d, wire[i], &f);
    if (r == FL_NONE) continue;
    if (k < n) {
      res[k] = r;
      if (frames) frames[k] = f;
      if (bodies && r == FL_OK) {
        bodies[k] = (uint8_t *)malloc(d->body_len ? d->body_len : 1);
        memcpy(bodies[k], d->buf, d->body_len);
        body_lens[k] = d->body_len;
      }
    }
    k++;
  }
  return k;
}

static void test_crc(const jnode *root) {
  const jnode *list = jget(root, "crc");
  CHECK(list && list->count > 0, "no crc vectors");
  CHECK(fl_crc16((const uint8_t *)"123456789", 9) == 0x29B1u, "check value");
  for (size_t i = 0; list && i < list->count; i++) {
    const jnode *v = &list->items[i];
    size_t len;
    uint8_t *data = unhex(jstr(jget(v, "data_hex")), &len);
    current = jstr(jget(v, "name"));
    CHECK(fl_crc16(data, len) == jint(jget(v, "crc")), "crc 0x%04x, expected 0x%04llx", fl_crc16(data, len), jint(jget(v, "crc")));
    free(data);
  }
}

static void test_cobs(const jnode *root) {
  const jnode *list = jget(root, "cobs");
  CHECK(list && list->count > 0, "no cobs vectors");
  for (size_t i = 0; list && i < list->count; i++) {
    const jnode *v = &list->items[i];
    size_t dlen, elen, n = 0;
    uint8_t *dec = unhex(jstr(jget(v, "decoded_hex")), &dlen);
    uint8_t *enc = unhex(jstr(jget(v, "encoded_hex")), &elen);
    current = jstr(jget(v, "name"));
    n = fl_cobs_encode(dec, dlen, out_buf, sizeof out_buf);
    CHECK(same_bytes(out_buf, n, enc, elen, "cobs encode"), "cobs encode differs");
    snk.len = 0;
    n = fl_cobs_write(dec, dlen, sink_put, &snk);
    CHECK(n == snk.len && same_bytes(snk.buf, snk.len, enc, elen, "cobs write"), "cobs streaming encode differs");
    CHECK(fl_cobs_decode(enc, elen, out_buf, sizeof out_buf, &n) == 0 && same_bytes(out_buf, n, dec, dlen, "cobs decode"), "cobs decode differs");
    /* in place */
    memcpy(out_buf, enc, elen);
    CHECK(fl_cobs_decode(out_buf, elen, out_buf, elen, &n) == 0 && same_bytes(out_buf, n, dec, dlen, "cobs decode in place"), "in-place decode differs");
    CHECK(fl_cobs_encode(dec, dlen, out_buf, elen - 1) == 0, "encode into a buffer one byte short must fail");
    free(dec);
    free(enc);
  }
}

static void test_frames(const jnode *root) {
  const jnode *list = jget(root, "frames");
  int seen[256] = {0};
  CHECK(list && list->count > 0, "no frame vectors");
  for (size_t i = 0; list && i < list->count; i++) {
    const jnode *v = &list->items[i];
    const jnode *msg = jget(v, "message");
    size_t flen, wlen, n;
    uint8_t *frame = unhex(jstr(jget(v, "frame_hex")), &flen);
    uint8_t *wire = unhex(jstr(jget(v, "wire_hex")), &wlen);
    int id = type_id(jstr(jget(v, "type")));
    fl_frame f, got[2];
    fl_result res[2];
    fl_decoder d;
    size_t nres;

    current = jstr(jget(v, "name"));
    CHECK(id >= 0 && (uint64_t)id == jint(jget(v, "type_id")), "type %s / type_id mismatch", jstr(jget(v, "type")));
    if (id < 0) continue;
    seen[id] = 1;

    /* Encode from the field values. */
    fl_frame_init(&f, (uint8_t)id, (uint16_t)jint(jget(v, "seq")), (uint64_t)jint(jget(v, "timestamp_us")));
    fill_message(&f, msg);
    n = fl_encode_frame(&f, out_buf, sizeof out_buf);
    CHECK(same_bytes(out_buf, n, frame, flen, "fl_encode_frame"), "frame body differs from frame_hex");
    n = fl_encode_wire(&f, out_buf, sizeof out_buf);
    CHECK(same_bytes(out_buf, n, wire, wlen, "fl_encode_wire"), "wire differs from wire_hex");
    snk.len = 0;
    n = fl_send_frame(&f, out_buf, sizeof out_buf, sink_put, &snk);
    CHECK(n == snk.len && same_bytes(snk.buf, snk.len, wire, wlen, "fl_send_frame"), "streamed wire differs from wire_hex");
    CHECK(fl_encode_wire(&f, out_buf, wlen - 1) == 0, "encoding into a buffer one byte short must fail");
    CHECK(fl_encode_wire(&f, out_buf, wlen + FL_COBS_OVERHEAD(wlen) + 1) == wlen, "encoding into a just-large-enough buffer");

    /* Decode the wire byte by byte. */
    nres = run_stream(&d, wire, wlen, res, 2, got, NULL, NULL);
    CHECK(nres == 1 && res[0] == FL_OK, "stream decoder: %lu results, first %s", (unsigned long)nres, nres ? fl_error_name(res[0]) : "-");
    if (nres != 1 || res[0] != FL_OK) continue;
    CHECK(d.frames == 1 && fl_decoder_error_count(&d) == 0, "counters");
    CHECK(same_bytes(d.buf, d.body_len, frame, flen, "decoded body"), "COBS-decoded body differs from frame_hex");
    CHECK(got[0].version == FL_PROTOCOL_VERSION && got[0].type == id, "header version/type");
    CHECK(got[0].seq == jint(jget(v, "seq")), "seq %u", got[0].seq);
    CHECK(got[0].timestamp_us == jint(jget(v, "timestamp_us")), "timestamp %llu", (unsigned long long)got[0].timestamp_us);
    compare_message(&got[0], msg);

    /* Re-encode what was decoded (scan ranges straight from ranges_le). */
    n = fl_encode_frame(&got[0], out_buf, sizeof out_buf);
    CHECK(same_bytes(out_buf, n, frame, flen, "re-encode"), "re-encoded frame differs");
    free(frame);
    free(wire);
  }
  current = "frames";
  for (size_t t = 0; t < sizeof TYPES / sizeof TYPES[0]; t++) CHECK(seen[TYPES[t].id], "no vector for %s", TYPES[t].name);
}

static fl_result result_of(const char *name) {
  int r;
  for (r = FL_OK; r < FL_ERR_COUNT; r++)
    if (strcmp(fl_error_name((fl_result)r), name) == 0) return (fl_result)r;
  return FL_NONE;
}

static void test_negative(const jnode *root) {
  const jnode *list = jget(root, "negative");
  CHECK(list && list->count > 0, "no negative vectors");
  for (size_t i = 0; list && i < list->count; i++) {
    const jnode *v = &list->items[i];
    size_t wlen, nres;
    uint8_t *wire = unhex(jstr(jget(v, "wire_hex")), &wlen);
    fl_result want = result_of(jstr(jget(v, "error"))), res[4];
    fl_decoder d;
    current = jstr(jget(v, "name"));
    CHECK(want != FL_NONE && want != FL_OK, "unknown error name %s", jstr(jget(v, "error")));
    nres = run_stream(&d, wire, wlen, res, 4, NULL, NULL, NULL);
    CHECK(nres == 1 && res[0] == want, "%lu results, first %s, expected %s", (unsigned long)nres, nres ? fl_error_name(res[0]) : "-", fl_error_name(want));
    CHECK(d.frames == 0 && d.errors[want] == 1 && fl_decoder_error_count(&d) == 1, "counters: frames %lu, %s %lu", (unsigned long)d.frames, fl_error_name(want), (unsigned long)d.errors[want]);
    free(wire);
  }
}

static void test_streams(const jnode *root) {
  const jnode *list = jget(root, "streams");
  CHECK(list && list->count > 0, "no stream vectors");
  for (size_t i = 0; list && i < list->count; i++) {
    const jnode *v = &list->items[i];
    const jnode *results = jget(v, "results"), *frames = jget(v, "frames_hex");
    size_t wlen, nres, ok = 0;
    uint8_t *wire = unhex(jstr(jget(v, "wire_hex")), &wlen);
    fl_result res[16];
    uint8_t *bodies[16] = {0};
    size_t body_lens[16] = {0};
    fl_decoder d;
    current = jstr(jget(v, "name"));
    nres = run_stream(&d, wire, wlen, res, 16, NULL, bodies, body_lens);
    CHECK(results && nres == results->count, "%lu results, expected %lu", (unsigned long)nres, (unsigned long)(results ? results->count : 0));
    for (size_t k = 0; results && k < nres && k < results->count && k < 16; k++) {
      CHECK(strcmp(fl_error_name(res[k]), jstr(&results->items[k])) == 0, "result %lu is %s, expected %s", (unsigned long)k, fl_error_name(res[k]), jstr(&results->items[k]));
      if (res[k] == FL_OK && frames && ok < frames->count) {
        size_t flen;
        uint8_t *want = unhex(jstr(&frames->items[ok++]), &flen);
        CHECK(same_bytes(bodies[k], body_lens[k], want, flen, "frame body"), "good frame %lu differs", (unsigned long)k);
        free(want);
      }
      free(bodies[k]);
    }
    free(wire);
  }
}

/** Returns a copy of the wire of the named vector (frames or negative), or NULL. */
static uint8_t *vector_wire(const jnode *root, const char *section, const char *name, size_t *len) {
  const jnode *list = jget(root, section);
  for (size_t i = 0; list && i < list->count; i++)
    if (strcmp(jstr(jget(&list->items[i], "name")), name) == 0) return unhex(jstr(jget(&list->items[i], "wire_hex")), len);
  CHECK(0, "vector %s/%s not found", section, name);
  *len = 0;
  return NULL;
}

/** The robot's view: a 64-byte receive buffer, the watchdog fed only by valid VelocityCommands. */
static void test_robot_side(const jnode *root) {
  uint8_t small[64];
  fl_decoder d;
  fl_watchdog wd;
  fl_frame f;
  size_t len, i;
  uint8_t *good = vector_wire(root, "frames", "velocity-command", &len);
  uint8_t *bad = NULL, *hello = NULL;
  size_t bad_len = 0, hello_len = 0;
  uint32_t now = 1000;
  int applied = 0;

  current = "robot-side";
  bad = vector_wire(root, "negative", "crc-bit-flip", &bad_len);
  hello = vector_wire(root, "frames", "hello-sim-bot", &hello_len);
  if (!good || !bad || !hello) return;
  fl_decoder_init(&d, small, sizeof small);
  fl_watchdog_init(&wd);
  CHECK(fl_watchdog_expired(&wd, now), "watchdog must be expired at boot");

  /* A bad-CRC VelocityCommand never feeds the watchdog. */
  for (i = 0; i < bad_len; i++) {
    fl_result r = fl_decoder_push(&d, bad[i], &f);
    if (r == FL_OK && f.type == FL_MSG_VELOCITY_COMMAND) { fl_watchdog_feed(&wd, now, f.seq); applied++; }
  }
  CHECK(applied == 0 && fl_watchdog_expired(&wd, now) && d.errors[FL_ERR_CRC] == 1, "bad CRC command was applied");

  /* A Hello (113-byte body) does not fit the robot's 64-byte buffer: oversize, then resync. */
  for (i = 0; i < hello_len; i++) (void)fl_decoder_push(&d, hello[i], &f);
  CHECK(d.errors[FL_ERR_OVERSIZE] == 1, "oversize in a small buffer");

  for (i = 0; i < len; i++) {
    fl_result r = fl_decoder_push(&d, good[i], &f);
    if (r == FL_OK && f.type == FL_MSG_VELOCITY_COMMAND) { fl_watchdog_feed(&wd, now, f.seq); applied++; }
  }
  CHECK(applied == 1 && !fl_watchdog_expired(&wd, now), "valid command must feed the watchdog");
  CHECK(wd.last_seq == 100, "last_seq %u", wd.last_seq);
  CHECK(!fl_watchdog_expired(&wd, now + 249), "expired before 250 ms");
  CHECK(fl_watchdog_expired(&wd, now + 250), "not expired at 250 ms");
  CHECK(fl_watchdog_expired(&wd, now + 10), "expiry must latch until the next command");

  /* Wrap-safe: fed just before the 32-bit millisecond counter wraps. */
  fl_watchdog_feed(&wd, 0xFFFFFFF0u, 1);
  CHECK(!fl_watchdog_expired(&wd, 0x00000010u), "32 ms across the wrap");
  CHECK(fl_watchdog_expired(&wd, 0x000000EAu), "250 ms across the wrap");

  /* 64-bit clock from a wrapping 32-bit micros(). */
  {
    fl_clock c;
    fl_clock_init(&c, 0xFFFFFF00u);
    CHECK(fl_clock_now(&c, 0xFFFFFFFFu) == 0xFFFFFFFFull, "clock before wrap");
    CHECK(fl_clock_now(&c, 5u) == 0x100000005ull, "clock after wrap");
    CHECK(fl_clock_now(&c, 6u) == 0x100000006ull, "clock after wrap, again");
  }

  /* Encoder refusals. */
  {
    fl_frame s;
    fl_frame_init(&s, FL_MSG_LASER_SCAN, 0, 0);
    s.u.laser_scan.count = FL_MAX_SCAN_BEAMS + 1;
    s.u.laser_scan.ranges = range_store;
    CHECK(fl_encode_frame(&s, out_buf, sizeof out_buf) == 0, "1001 beams must not encode");
    fl_frame_init(&s, 0x07, 0, 0);
    CHECK(fl_encode_frame(&s, out_buf, sizeof out_buf) == 0, "unknown type must not encode");
    fl_frame_init(&s, FL_MSG_STOP, 0, 0);
    CHECK(fl_encode_frame(&s, out_buf, 14) == 0 && fl_encode_frame(&s, out_buf, 15) == 15, "capacity checks");
  }
  free(good);
  free(bad);
  free(hello);
}

int main(int argc, char **argv) {
  FILE *fp;
  long size;
  char *text;
  jparser p;
  jnode root;
  const char *path = argc > 1 ? argv[1] : "test/vectors/link-vectors.json";

  fp = fopen(path, "rb");
  if (!fp) {
    fprintf(stderr, "cannot open %s\n", path);
    return 2;
  }
  fseek(fp, 0, SEEK_END);
  size = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  text = (char *)malloc((size_t)size + 1);
  if (fread(text, 1, (size_t)size, fp) != (size_t)size) {
    fprintf(stderr, "cannot read %s\n", path);
    return 2;
  }
  fclose(fp);
  text[size] = '\0';
  p.s = text;
  p.at = 0;
  p.len = (size_t)size;
  p.err = 0;
  jvalue(&p, &root);
  if (p.err) return 2;

  current = "header";
  CHECK(jint(jget(&root, "protocol_version")) == FL_PROTOCOL_VERSION, "protocol_version");
  CHECK(jint(jget(jget(&root, "limits"), "max_wire_bytes")) == FL_MAX_WIRE_BYTES, "max_wire_bytes %llu vs %u", jint(jget(jget(&root, "limits"), "max_wire_bytes")), (unsigned)FL_MAX_WIRE_BYTES);
  CHECK(jint(jget(jget(&root, "limits"), "max_frame_bytes")) == FL_MAX_FRAME_BYTES, "max_frame_bytes");
  CHECK(jint(jget(jget(&root, "limits"), "max_scan_beams")) == FL_MAX_SCAN_BEAMS, "max_scan_beams");
  CHECK(jint(jget(jget(&root, "limits"), "hello_name_max_bytes")) == FL_NAME_MAX_BYTES, "hello_name_max_bytes");

  test_crc(&root);
  test_cobs(&root);
  test_frames(&root);
  test_negative(&root);
  test_streams(&root);
  test_robot_side(&root);

  {
    const jnode *f = jget(&root, "frames"), *n = jget(&root, "negative"), *s = jget(&root, "streams");
    printf("%s: %ld checks, %d failed (%lu frame, %lu negative, %lu stream vectors)\n", failures ? "FAIL" : "ok", checks, failures,
           (unsigned long)(f ? f->count : 0), (unsigned long)(n ? n->count : 0), (unsigned long)(s ? s->count : 0));
  }
  return failures ? 1 : 0;
}
