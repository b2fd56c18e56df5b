/*
 * foresight_link.h — the Foresight robot link, protocol v1, for firmware.
 *
 * Reference implementation of docs/protocol.md in dependency-free C99: COBS, CRC-16/
 * CCITT-FALSE, encode/decode of every message (both directions), a streaming frame decoder
 * with a bounded buffer and error counters, the 250 ms command watchdog, and a helper that
 * extends a wrapping 32-bit microsecond counter to the 64-bit timestamps of the header.
 *
 * Single header, everything `static inline`: include it from as many files as you like.
 * No malloc, no globals, no floating-point formatting, no struct punning: every field is
 * packed byte by byte, little-endian, so it works unchanged on AVR (8-bit, float == double
 * == binary32) and ARM. Needs only <stdint.h>, <stddef.h> and <string.h> (memcpy).
 *
 * Checked against the shared test vectors (test/vectors/link-vectors.json) by
 * resources/firmware/test/test_vectors.c, which `npm test` compiles and runs.
 *
 * Minimal robot loop:
 *
 *   static uint8_t rx_buf[64];                     // host frames are ≤ 24 wire bytes
 *   static fl_decoder dec;  static fl_watchdog wd;  static fl_frame in;
 *   fl_decoder_init(&dec, rx_buf, sizeof rx_buf);  fl_watchdog_init(&wd);
 *   ...
 *   while (serial_available()) {
 *     if (fl_decoder_push(&dec, serial_read(), &in) != FL_OK) continue;  // FL_NONE or an error
 *     if (in.type == FL_MSG_VELOCITY_COMMAND) { fl_watchdog_feed(&wd, millis(), in.seq); set_target(in.u.velocity_command); }
 *     ...
 *   }
 *   if (fl_watchdog_expired(&wd, millis())) stop_motors();
 *
 * Licence: MIT, like the rest of Foresight.
 */
#ifndef FORESIGHT_LINK_H
#define FORESIGHT_LINK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ constants */

#define FL_PROTOCOL_VERSION 1u
#define FL_HEADER_BYTES 12u
#define FL_CRC_BYTES 2u
/** Largest frame body (header + payload + CRC) a receiver must accept. */
#define FL_MAX_FRAME_BYTES 4096u
/** Longest wire block (COBS of the largest frame, without the delimiter). */
#define FL_MAX_WIRE_BYTES (FL_MAX_FRAME_BYTES + (FL_MAX_FRAME_BYTES + 253u) / 254u + 1u)
#define FL_NAME_MAX_BYTES 32u
#define FL_MAX_SCAN_BEAMS 1000u
/** The robot stops its motors this long after the last valid VelocityCommand. */
#define FL_WATCHDOG_MS 250u
/** Bytes of COBS overhead for a body of n bytes (worst case, including a final empty block). */
#define FL_COBS_OVERHEAD(n) ((size_t)(n) / 254u + 1u)

/** Message type ids: robot → host below 0x80, host → robot from 0x80. */
enum fl_msg_type {
  FL_MSG_HELLO = 0x01,
  FL_MSG_ODOMETRY = 0x02,
  FL_MSG_LASER_SCAN = 0x03,
  FL_MSG_STATUS = 0x04,
  FL_MSG_SCREEN_STATE = 0x05,
  FL_MSG_PONG = 0x06,
  FL_MSG_VELOCITY_COMMAND = 0x81,
  FL_MSG_SCREEN_COMMAND = 0x82,
  FL_MSG_STOP = 0x83,
  FL_MSG_PING = 0x84
};

/** Bits of fl_status.faults. */
#define FL_FAULT_MOTOR_OVERCURRENT (1ul << 0)
#define FL_FAULT_MOTOR_DRIVER (1ul << 1)
#define FL_FAULT_LIDAR (1ul << 2)
#define FL_FAULT_LOW_BATTERY (1ul << 3)
#define FL_FAULT_BUMPER (1ul << 4)
/** Set while the robot is stopped because no valid VelocityCommand arrived for 250 ms. */
#define FL_FAULT_COMMAND_WATCHDOG (1ul << 5)

/** fl_stop.reason */
enum fl_stop_reason { FL_STOP_OPERATOR = 0, FL_STOP_SAFETY = 1, FL_STOP_LINK_LOSS = 2, FL_STOP_SHUTDOWN = 3 };

/** Status flag bits on the wire. */
#define FL_STATUS_FLAG_ESTOP 0x01u
#define FL_STATUS_FLAG_MOTORS_ENABLED 0x02u
/** Ping flag bits on the wire. */
#define FL_PING_FLAG_REQUEST_HELLO 0x01u

/**
 * Decoder outcomes. The error names (fl_error_name) are those of the TypeScript codec
 * (FrameErrorReason) and of the "error" fields of the test vectors.
 */
typedef enum {
  FL_OK = 0,            /* a frame was decoded */
  FL_ERR_COBS,          /* "cobs": the block is not valid COBS */
  FL_ERR_TOO_SHORT,     /* "too-short": shorter than header + CRC (14 bytes) */
  FL_ERR_OVERSIZE,      /* "oversize": no delimiter within the receive buffer */
  FL_ERR_CRC,           /* "crc": CRC mismatch */
  FL_ERR_VERSION,       /* "version": a protocol version other than 1 */
  FL_ERR_UNKNOWN_TYPE,  /* "unknown-type" */
  FL_ERR_BAD_PAYLOAD,   /* "bad-payload": length or content does not match the type */
  FL_ERR_COUNT,         /* number of the above, for counter arrays */
  FL_NONE = 0x7f        /* fl_decoder_push: no frame completed by this byte */
} fl_result;

static inline const char *fl_error_name(fl_result r) {
  switch (r) {
    case FL_OK: return "ok";
    case FL_ERR_COBS: return "cobs";
    case FL_ERR_TOO_SHORT: return "too-short";
    case FL_ERR_OVERSIZE: return "oversize";
    case FL_ERR_CRC: return "crc";
    case FL_ERR_VERSION: return "version";
    case FL_ERR_UNKNOWN_TYPE: return "unknown-type";
    case FL_ERR_BAD_PAYLOAD: return "bad-payload";
    case FL_NONE: return "none";
    default: return "?";
  }
}

/* ------------------------------------------------------------------------ messages */

/** Robot description, sent in reply to Ping{request_hello}. SI units, base_link. */
typedef struct {
  uint8_t protocol_version;          /* FL_PROTOCOL_VERSION */
  uint8_t name_len;                  /* bytes of name, ≤ 32 */
  char name[FL_NAME_MAX_BYTES + 1];  /* UTF-8, not necessarily NUL-free; decoder NUL-terminates */
  float footprint_length, footprint_width, footprint_center_offset_x; /* m */
  float wheel_base;                                                   /* m */
  float max_linear_velocity, max_angular_velocity;                    /* m/s, rad/s */
  float max_linear_accel, max_angular_accel;                          /* m/s², rad/s² */
  float max_linear_jerk, max_angular_jerk;                            /* m/s³, rad/s³ */
  float pan_min, pan_max, pan_max_rate, pan_max_accel;                /* rad, rad, rad/s, rad/s² */
  uint16_t lidar_beams;                                               /* 0 = no lidar on this link */
  float lidar_angle_min, lidar_angle_increment;                       /* rad, lidar frame */
  float lidar_range_min, lidar_range_max;                             /* m */
  float lidar_rate_hz;                                                /* Hz */
  float lidar_mount_x, lidar_mount_y, lidar_mount_yaw;                /* m, m, rad in base_link */
} fl_hello;

typedef struct {
  float x, y, theta;          /* m, m, rad in odom */
  float v, w;                 /* m/s along base_link x, rad/s */
  uint16_t last_command_seq;  /* header seq of the last VelocityCommand applied */
} fl_odometry;

/**
 * One lidar revolution. To encode, point `ranges` at `count` floats. After decoding,
 * `ranges` is NULL and `ranges_le` points at the `count` little-endian binary32 values
 * inside the decoder's buffer (valid until the next push): read them with
 * fl_laser_scan_range(). An encoder given ranges == NULL copies ranges_le verbatim.
 */
typedef struct {
  float angle_min, angle_increment;  /* rad, lidar frame */
  float time_increment;              /* s between beams */
  float range_min, range_max;        /* m */
  uint16_t count;                    /* ≤ 1000 */
  const float *ranges;
  const uint8_t *ranges_le;
} fl_laser_scan;

typedef struct {
  float battery_voltage;    /* V */
  uint8_t battery_percent;  /* 0–100, 255 = unknown */
  uint32_t faults;          /* FL_FAULT_* */
  uint8_t estop_pressed;    /* 0/1 */
  uint8_t motors_enabled;   /* 0/1 */
} fl_status;

typedef struct {
  float pan_angle;     /* rad, relative to base_link x */
  float pan_velocity;  /* rad/s */
} fl_screen_state;

typedef struct {
  uint16_t ping_seq;          /* header seq of the Ping */
  uint64_t host_time_us;      /* header timestamp of the Ping, echoed */
  uint64_t robot_rx_time_us;  /* robot clock when the Ping arrived */
} fl_pong;

typedef struct {
  float v;  /* m/s along base_link x */
  float w;  /* rad/s */
} fl_velocity_command;

typedef struct {
  float pan_angle;  /* rad, target relative to base_link x */
  float max_rate;   /* rad/s */
} fl_screen_command;

typedef struct {
  uint8_t reason;  /* fl_stop_reason */
} fl_stop;

typedef struct {
  uint8_t request_hello;  /* 0/1 */
} fl_ping;

/** A frame: header fields and one message, selected by `type`. */
typedef struct {
  uint8_t version;        /* FL_PROTOCOL_VERSION */
  uint8_t type;           /* fl_msg_type */
  uint16_t seq;           /* sender's sequence number, wraps */
  uint64_t timestamp_us;  /* sender's clock at send time, µs */
  union {
    fl_hello hello;
    fl_odometry odometry;
    fl_laser_scan laser_scan;
    fl_status status;
    fl_screen_state screen_state;
    fl_pong pong;
    fl_velocity_command velocity_command;
    fl_screen_command screen_command;
    fl_stop stop;
    fl_ping ping;
  } u;
} fl_frame;

/** Zeroes *f and fills the header (version = FL_PROTOCOL_VERSION). */
static inline void fl_frame_init(fl_frame *f, uint8_t type, uint16_t seq, uint64_t timestamp_us) {
  memset(f, 0, sizeof *f);
  f->version = FL_PROTOCOL_VERSION;
  f->type = type;
  f->seq = seq;
  f->timestamp_us = timestamp_us;
}

/* ------------------------------------------------------------------------ CRC-16/CCITT-FALSE */

/** One byte into a running CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no xorout). */
static inline uint16_t fl_crc16_update(uint16_t crc, uint8_t byte) {
  uint8_t i;
  crc ^= (uint16_t)((uint16_t)byte << 8);
  for (i = 0; i < 8; i++) {
    uint16_t x = (crc & 0x8000u) ? 0x1021u : 0u;
    crc = (uint16_t)((uint16_t)(crc << 1) ^ x);
  }
  return crc;
}

/** CRC-16/CCITT-FALSE of data[0..len). Check: "123456789" → 0x29B1. */
static inline uint16_t fl_crc16(const uint8_t *data, size_t len) {
  uint16_t crc = 0xFFFFu;
  size_t i;
  for (i = 0; i < len; i++) crc = fl_crc16_update(crc, data[i]);
  return crc;
}

/* ------------------------------------------------------------------------ COBS */

/** Byte sink for the streaming encoders, e.g. a UART write. */
typedef void (*fl_put_fn)(void *ctx, uint8_t byte);

/*
 * Core COBS encoder (identical output to src/shared/wire/cobs.ts): a block ends at a zero
 * byte (consumed), after 254 non-zero bytes (code 0xFF), or at the end of the input; a
 * block ended by a zero or by 254 bytes is always followed by another block, so input that
 * ends in a zero or in a full 254-byte run gets a final empty block (code 0x01).
 * Writes to out (if not NULL, bounded by cap) or to put. Returns the encoded length, or 0
 * if it does not fit in cap (the encoding of anything is at least 1 byte).
 * `in` may lie inside `out` at an offset ≥ FL_COBS_OVERHEAD(len) (in-place encoding).
 */
static inline size_t flp_cobs_encode(const uint8_t *in, size_t len, uint8_t *out, size_t cap, fl_put_fn put, void *ctx) {
  size_t r = 0, w = 0;
  for (;;) {
    size_t n = 0, i;
    uint8_t code;
    int ended_by_end;
    while (r + n < len && n < 254u && in[r + n] != 0) n++;
    code = (uint8_t)(n + 1u);
    ended_by_end = (r + n == len) && n < 254u;
    if (out) {
      if (w + 1u + n > cap) return 0;
      out[w] = code;
      for (i = 0; i < n; i++) out[w + 1u + i] = in[r + i]; /* forward copy: safe in place */
    } else {
      put(ctx, code);
      for (i = 0; i < n; i++) put(ctx, in[r + i]);
    }
    w += 1u + n;
    r += n;
    if (ended_by_end) break;
    if (n < 254u) r++; /* the zero that ended the block */
  }
  return w;
}

/** COBS-encodes in[0..len) into out (no delimiter). Returns the length, or 0 if cap is too small. */
static inline size_t fl_cobs_encode(const uint8_t *in, size_t len, uint8_t *out, size_t cap) {
  return flp_cobs_encode(in, len, out, cap, 0, 0);
}

/** COBS-encodes in[0..len) byte by byte to put (no delimiter, no buffer). Returns the byte count. */
static inline size_t fl_cobs_write(const uint8_t *in, size_t len, fl_put_fn put, void *ctx) {
  return flp_cobs_encode(in, len, 0, 0, put, ctx);
}

/**
 * Decodes one COBS block (delimiter already stripped) into out (cap bytes). `out` may equal
 * `in` (in-place). Returns 0 and the length in *out_len, or -1 if the block is malformed
 * (a zero byte, or a code running past the end) or does not fit.
 */
static inline int fl_cobs_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len) {
  size_t r = 0, w = 0;
  while (r < len) {
    uint8_t code = in[r];
    uint8_t i;
    if (code == 0 || r + code > len) return -1;
    r++;
    for (i = 1; i < code; i++) {
      uint8_t b = in[r++];
      if (b == 0 || w >= cap) return -1;
      out[w++] = b;
    }
    if (code != 0xFFu && r < len) {
      if (w >= cap) return -1;
      out[w++] = 0;
    }
  }
  *out_len = w;
  return 0;
}

/* ------------------------------------------------------------------------ little-endian packing */

typedef struct {
  uint8_t *buf;
  size_t cap, len;
  int overflow;
} flp_writer;

static inline void flp_w_u8(flp_writer *w, uint8_t v) {
  if (w->len < w->cap) w->buf[w->len] = v;
  else w->overflow = 1;
  w->len++;
}
static inline void flp_w_u16(flp_writer *w, uint16_t v) {
  flp_w_u8(w, (uint8_t)(v & 0xFFu));
  flp_w_u8(w, (uint8_t)(v >> 8));
}
static inline void flp_w_u32(flp_writer *w, uint32_t v) {
  flp_w_u16(w, (uint16_t)(v & 0xFFFFu));
  flp_w_u16(w, (uint16_t)(v >> 16));
}
static inline void flp_w_u64(flp_writer *w, uint64_t v) {
  flp_w_u32(w, (uint32_t)(v & 0xFFFFFFFFu));
  flp_w_u32(w, (uint32_t)(v >> 32));
}
static inline uint32_t fl_float_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u); /* float and uint32_t share byte order on every supported target */
  return u;
}
static inline float fl_bits_float(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}
static inline void flp_w_f32(flp_writer *w, float v) { flp_w_u32(w, fl_float_bits(v)); }

static inline uint16_t fl_get_u16(const uint8_t *p) { return (uint16_t)(p[0] | ((uint16_t)p[1] << 8)); }
static inline uint32_t fl_get_u32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t fl_get_u64(const uint8_t *p) { return (uint64_t)fl_get_u32(p) | ((uint64_t)fl_get_u32(p + 4) << 32); }
static inline float fl_get_f32(const uint8_t *p) { return fl_bits_float(fl_get_u32(p)); }

/** Range i (metres) of a scan: from `ranges` when encoding, `ranges_le` after decoding. */
static inline float fl_laser_scan_range(const fl_laser_scan *s, uint16_t i) {
  return s->ranges ? s->ranges[i] : fl_get_f32(s->ranges_le + 4u * i);
}

/** Bounds-checked reader over a payload; `bad` is set when reading past the end. */
typedef struct {
  const uint8_t *p;
  size_t len, at;
  int bad;
} flp_reader;

static inline const uint8_t *flp_take(flp_reader *r, size_t n) {
  const uint8_t *at;
  if (r->bad || r->len - r->at < n) {
    r->bad = 1;
    return 0;
  }
  at = r->p + r->at;
  r->at += n;
  return at;
}
static inline uint8_t flp_r_u8(flp_reader *r) { const uint8_t *p = flp_take(r, 1); return p ? p[0] : 0; }
static inline uint16_t flp_r_u16(flp_reader *r) { const uint8_t *p = flp_take(r, 2); return p ? fl_get_u16(p) : 0; }
static inline uint32_t flp_r_u32(flp_reader *r) { const uint8_t *p = flp_take(r, 4); return p ? fl_get_u32(p) : 0; }
static inline uint64_t flp_r_u64(flp_reader *r) { const uint8_t *p = flp_take(r, 8); return p ? fl_get_u64(p) : 0; }
static inline float flp_r_f32(flp_reader *r) { const uint8_t *p = flp_take(r, 4); return p ? fl_get_f32(p) : 0.0f; }

/* ------------------------------------------------------------------------ payloads */

/** Writes the payload of f. Returns 0, or -1 for an unknown type or a scan of more than 1000 beams. */
static inline int flp_write_payload(flp_writer *w, const fl_frame *f) {
  switch (f->type) {
    case FL_MSG_HELLO: {
      const fl_hello *h = &f->u.hello;
      uint8_t n = h->name_len > FL_NAME_MAX_BYTES ? (uint8_t)FL_NAME_MAX_BYTES : h->name_len;
      uint8_t i;
      flp_w_u8(w, h->protocol_version);
      flp_w_u8(w, n);
      for (i = 0; i < n; i++) flp_w_u8(w, (uint8_t)h->name[i]);
      flp_w_f32(w, h->footprint_length);
      flp_w_f32(w, h->footprint_width);
      flp_w_f32(w, h->footprint_center_offset_x);
      flp_w_f32(w, h->wheel_base);
      flp_w_f32(w, h->max_linear_velocity);
      flp_w_f32(w, h->max_angular_velocity);
      flp_w_f32(w, h->max_linear_accel);
      flp_w_f32(w, h->max_angular_accel);
      flp_w_f32(w, h->max_linear_jerk);
      flp_w_f32(w, h->max_angular_jerk);
      flp_w_f32(w, h->pan_min);
      flp_w_f32(w, h->pan_max);
      flp_w_f32(w, h->pan_max_rate);
      flp_w_f32(w, h->pan_max_accel);
      flp_w_u16(w, h->lidar_beams);
      flp_w_f32(w, h->lidar_angle_min);
      flp_w_f32(w, h->lidar_angle_increment);
      flp_w_f32(w, h->lidar_range_min);
      flp_w_f32(w, h->lidar_range_max);
      flp_w_f32(w, h->lidar_rate_hz);
      flp_w_f32(w, h->lidar_mount_x);
      flp_w_f32(w, h->lidar_mount_y);
      flp_w_f32(w, h->lidar_mount_yaw);
      return 0;
    }
    case FL_MSG_ODOMETRY: {
      const fl_odometry *o = &f->u.odometry;
      flp_w_f32(w, o->x);
      flp_w_f32(w, o->y);
      flp_w_f32(w, o->theta);
      flp_w_f32(w, o->v);
      flp_w_f32(w, o->w);
      flp_w_u16(w, o->last_command_seq);
      return 0;
    }
    case FL_MSG_LASER_SCAN: {
      const fl_laser_scan *s = &f->u.laser_scan;
      uint16_t i;
      if (s->count > FL_MAX_SCAN_BEAMS) return -1;
      if (s->count > 0 && !s->ranges && !s->ranges_le) return -1;
      flp_w_f32(w, s->angle_min);
      flp_w_f32(w, s->angle_increment);
      flp_w_f32(w, s->time_increment);
      flp_w_f32(w, s->range_min);
      flp_w_f32(w, s->range_max);
      flp_w_u16(w, s->count);
      for (i = 0; i < s->count; i++) flp_w_f32(w, fl_laser_scan_range(s, i));
      return 0;
    }
    case FL_MSG_STATUS: {
      const fl_status *s = &f->u.status;
      flp_w_f32(w, s->battery_voltage);
      flp_w_u8(w, s->battery_percent);
      flp_w_u32(w, s->faults);
      flp_w_u8(w, (uint8_t)((s->estop_pressed ? FL_STATUS_FLAG_ESTOP : 0u) | (s->motors_enabled ? FL_STATUS_FLAG_MOTORS_ENABLED : 0u)));
      return 0;
    }
    case FL_MSG_SCREEN_STATE:
      flp_w_f32(w, f->u.screen_state.pan_angle);
      flp_w_f32(w, f->u.screen_state.pan_velocity);
      return 0;
    case FL_MSG_PONG:
      flp_w_u16(w, f->u.pong.ping_seq);
      flp_w_u64(w, f->u.pong.host_time_us);
      flp_w_u64(w, f->u.pong.robot_rx_time_us);
      return 0;
    case FL_MSG_VELOCITY_COMMAND:
      flp_w_f32(w, f->u.velocity_command.v);
      flp_w_f32(w, f->u.velocity_command.w);
      return 0;
    case FL_MSG_SCREEN_COMMAND:
      flp_w_f32(w, f->u.screen_command.pan_angle);
      flp_w_f32(w, f->u.screen_command.max_rate);
      return 0;
    case FL_MSG_STOP:
      flp_w_u8(w, f->u.stop.reason);
      return 0;
    case FL_MSG_PING:
      flp_w_u8(w, f->u.ping.request_hello ? FL_PING_FLAG_REQUEST_HELLO : 0u);
      return 0;
    default:
      return -1;
  }
}

/** Reads the payload of `type` into f->u. Returns FL_OK, FL_ERR_UNKNOWN_TYPE or FL_ERR_BAD_PAYLOAD. */
static inline fl_result flp_read_payload(flp_reader *r, uint8_t type, fl_frame *f) {
  switch (type) {
    case FL_MSG_HELLO: {
      fl_hello *h = &f->u.hello;
      const uint8_t *name;
      h->protocol_version = flp_r_u8(r);
      h->name_len = flp_r_u8(r);
      if (h->name_len > FL_NAME_MAX_BYTES) return FL_ERR_BAD_PAYLOAD;
      name = flp_take(r, h->name_len);
      if (name) memcpy(h->name, name, h->name_len);
      h->name[r->bad ? 0 : h->name_len] = '\0';
      h->footprint_length = flp_r_f32(r);
      h->footprint_width = flp_r_f32(r);
      h->footprint_center_offset_x = flp_r_f32(r);
      h->wheel_base = flp_r_f32(r);
      h->max_linear_velocity = flp_r_f32(r);
      h->max_angular_velocity = flp_r_f32(r);
      h->max_linear_accel = flp_r_f32(r);
      h->max_angular_accel = flp_r_f32(r);
      h->max_linear_jerk = flp_r_f32(r);
      h->max_angular_jerk = flp_r_f32(r);
      h->pan_min = flp_r_f32(r);
      h->pan_max = flp_r_f32(r);
      h->pan_max_rate = flp_r_f32(r);
      h->pan_max_accel = flp_r_f32(r);
      h->lidar_beams = flp_r_u16(r);
      h->lidar_angle_min = flp_r_f32(r);
      h->lidar_angle_increment = flp_r_f32(r);
      h->lidar_range_min = flp_r_f32(r);
      h->lidar_range_max = flp_r_f32(r);
      h->lidar_rate_hz = flp_r_f32(r);
      h->lidar_mount_x = flp_r_f32(r);
      h->lidar_mount_y = flp_r_f32(r);
      h->lidar_mount_yaw = flp_r_f32(r);
      break;
    }
    case FL_MSG_ODOMETRY: {
      fl_odometry *o = &f->u.odometry;
      o->x = flp_r_f32(r);
      o->y = flp_r_f32(r);
      o->theta = flp_r_f32(r);
      o->v = flp_r_f32(r);
      o->w = flp_r_f32(r);
      o->last_command_seq = flp_r_u16(r);
      break;
    }
    case FL_MSG_LASER_SCAN: {
      fl_laser_scan *s = &f->u.laser_scan;
      s->angle_min = flp_r_f32(r);
      s->angle_increment = flp_r_f32(r);
      s->time_increment = flp_r_f32(r);
      s->range_min = flp_r_f32(r);
      s->range_max = flp_r_f32(r);
      s->count = flp_r_u16(r);
      if (!r->bad && s->count > FL_MAX_SCAN_BEAMS) return FL_ERR_BAD_PAYLOAD;
      s->ranges = 0;
      s->ranges_le = flp_take(r, 4u * (size_t)s->count);
      break;
    }
    case FL_MSG_STATUS: {
      fl_status *s = &f->u.status;
      uint8_t flags;
      s->battery_voltage = flp_r_f32(r);
      s->battery_percent = flp_r_u8(r);
      s->faults = flp_r_u32(r);
      flags = flp_r_u8(r);
      s->estop_pressed = (flags & FL_STATUS_FLAG_ESTOP) ? 1u : 0u;
      s->motors_enabled = (flags & FL_STATUS_FLAG_MOTORS_ENABLED) ? 1u : 0u;
      break;
    }
    case FL_MSG_SCREEN_STATE:
      f->u.screen_state.pan_angle = flp_r_f32(r);
      f->u.screen_state.pan_velocity = flp_r_f32(r);
      break;
    case FL_MSG_PONG:
      f->u.pong.ping_seq = flp_r_u16(r);
      f->u.pong.host_time_us = flp_r_u64(r);
      f->u.pong.robot_rx_time_us = flp_r_u64(r);
      break;
    case FL_MSG_VELOCITY_COMMAND:
      f->u.velocity_command.v = flp_r_f32(r);
      f->u.velocity_command.w = flp_r_f32(r);
      break;
    case FL_MSG_SCREEN_COMMAND:
      f->u.screen_command.pan_angle = flp_r_f32(r);
      f->u.screen_command.max_rate = flp_r_f32(r);
      break;
    case FL_MSG_STOP:
      f->u.stop.reason = flp_r_u8(r);
      break;
    case FL_MSG_PING:
      f->u.ping.request_hello = (flp_r_u8(r) & FL_PING_FLAG_REQUEST_HELLO) ? 1u : 0u;
      break;
    default:
      return FL_ERR_UNKNOWN_TYPE;
  }
  /* Too short, or trailing bytes: both are a payload that does not match its type. */
  if (r->bad || r->at != r->len) return FL_ERR_BAD_PAYLOAD;
  return FL_OK;
}

/* ------------------------------------------------------------------------ frames */

/**
 * Encodes f into a frame body (header | payload | CRC, no COBS) in out[0..cap).
 * Returns the body length, or 0 if it does not fit, the type is unknown, or a scan has
 * more than 1000 beams. The header version is f->version (normally FL_PROTOCOL_VERSION).
 */
static inline size_t fl_encode_frame(const fl_frame *f, uint8_t *out, size_t cap) {
  flp_writer w;
  uint16_t crc;
  w.buf = out;
  w.cap = cap;
  w.len = 0;
  w.overflow = 0;
  flp_w_u8(&w, f->version);
  flp_w_u8(&w, f->type);
  flp_w_u16(&w, f->seq);
  flp_w_u64(&w, f->timestamp_us);
  if (flp_write_payload(&w, f) != 0) return 0;
  if (w.overflow || w.len + FL_CRC_BYTES > cap || w.len + FL_CRC_BYTES > FL_MAX_FRAME_BYTES) return 0;
  crc = fl_crc16(out, w.len);
  flp_w_u16(&w, crc);
  return w.len;
}

/**
 * Encodes f into wire bytes: COBS(frame body) followed by the 0x00 delimiter, in
 * out[0..cap). Needs cap ≥ body + FL_COBS_OVERHEAD(body) + 1 (the body is built inside out
 * and COBS-encoded in place: no second buffer). Returns the wire length, or 0.
 */
static inline size_t fl_encode_wire(const fl_frame *f, uint8_t *out, size_t cap) {
  size_t offset, body, n;
  /* Reserve the worst-case overhead for the largest body that could fit. */
  if (cap < 2u) return 0;
  offset = FL_COBS_OVERHEAD(cap) + 1u;
  if (offset >= cap) return 0;
  body = fl_encode_frame(f, out + offset, cap - offset);
  if (body == 0) return 0;
  n = fl_cobs_encode(out + offset, body, out, cap - 1u);
  if (n == 0) return 0;
  out[n] = 0x00;
  return n + 1u;
}

/**
 * Encodes f and writes the wire bytes (COBS + delimiter) to put, using `scratch` (cap
 * bytes, ≥ the frame body) for the body only. Returns the number of bytes written, or 0.
 */
static inline size_t fl_send_frame(const fl_frame *f, uint8_t *scratch, size_t cap, fl_put_fn put, void *ctx) {
  size_t body = fl_encode_frame(f, scratch, cap), n;
  if (body == 0) return 0;
  n = fl_cobs_write(scratch, body, put, ctx);
  put(ctx, 0x00);
  return n + 1u;
}

/**
 * Decodes a frame body (after COBS) into *f. Checks, in this order: length ≥ 14
 * (too-short), CRC (crc), version (version), type (unknown-type), payload (bad-payload).
 * For LaserScan, f->u.laser_scan.ranges_le points into body.
 */
static inline fl_result fl_decode_frame(const uint8_t *body, size_t len, fl_frame *f) {
  flp_reader r;
  uint16_t expected;
  if (len < FL_HEADER_BYTES + FL_CRC_BYTES) return FL_ERR_TOO_SHORT;
  expected = fl_get_u16(body + len - FL_CRC_BYTES);
  if (fl_crc16(body, len - FL_CRC_BYTES) != expected) return FL_ERR_CRC;
  f->version = body[0];
  if (f->version != FL_PROTOCOL_VERSION) return FL_ERR_VERSION;
  f->type = body[1];
  f->seq = fl_get_u16(body + 2);
  f->timestamp_us = fl_get_u64(body + 4);
  r.p = body + FL_HEADER_BYTES;
  r.len = len - FL_HEADER_BYTES - FL_CRC_BYTES;
  r.at = 0;
  r.bad = 0;
  return flp_read_payload(&r, f->type, f);
}

/* ------------------------------------------------------------------------ stream decoder */

/**
 * Incremental decoder: push received bytes one at a time. Memory is the buffer you give it
 * (a robot only receives host frames, ≤ 24 wire bytes in v1, so 64 bytes is plenty; a host
 * needs FL_MAX_WIRE_BYTES). A block longer than the buffer is counted once as oversize and
 * discarded up to the next 0x00; empty blocks (idle 0x00 bytes) are ignored. Every
 * outcome is counted in `frames` / `errors[]`.
 */
typedef struct {
  uint8_t *buf;
  size_t cap;
  size_t len;
  uint8_t discarding;
  uint32_t bytes;                  /* bytes pushed */
  uint32_t frames;                 /* good frames */
  uint32_t errors[FL_ERR_COUNT];   /* indexed by fl_result; errors[FL_OK] stays 0 */
  size_t body_len;                 /* length of the last decoded body (at buf[0..body_len)) */
} fl_decoder;

static inline void fl_decoder_init(fl_decoder *d, uint8_t *buf, size_t cap) {
  memset(d, 0, sizeof *d);
  d->buf = buf;
  d->cap = cap;
}

/** Sum of all error counters. */
static inline uint32_t fl_decoder_error_count(const fl_decoder *d) {
  uint32_t n = 0;
  int i;
  for (i = 0; i < (int)FL_ERR_COUNT; i++) n += d->errors[i];
  return n;
}

/**
 * Pushes one byte. Returns FL_NONE while a frame is incomplete; at a delimiter (or an
 * overflow) returns FL_OK with the frame in *out, or the error. Pointers inside *out
 * (scan ranges) refer to the decoder's buffer and stay valid until the next push.
 */
static inline fl_result fl_decoder_push(fl_decoder *d, uint8_t byte, fl_frame *out) {
  size_t body_len = 0;
  fl_result res;
  d->bytes++;
  if (byte != 0) {
    if (d->discarding) return FL_NONE;
    if (d->len == d->cap) {
      d->discarding = 1;
      d->len = 0;
      d->errors[FL_ERR_OVERSIZE]++;
      return FL_ERR_OVERSIZE;
    }
    d->buf[d->len++] = byte;
    return FL_NONE;
  }
  if (d->discarding) {
    d->discarding = 0;
    return FL_NONE;
  }
  if (d->len == 0) return FL_NONE;
  if (fl_cobs_decode(d->buf, d->len, d->buf, d->cap, &body_len) != 0) res = FL_ERR_COBS;
  else res = fl_decode_frame(d->buf, body_len, out);
  d->len = 0;
  d->body_len = res == FL_OK ? body_len : 0;
  if (res == FL_OK) d->frames++;
  else d->errors[res]++;
  return res;
}

/* ------------------------------------------------------------------------ command watchdog */

/**
 * The 250 ms command watchdog. Feed it ONLY with a VelocityCommand that decoded without
 * error (fl_decoder_push returned FL_OK): Pings, other messages and bad frames never renew
 * motion. Expired at boot until the first command. Times in milliseconds from any
 * free-running 32-bit counter (millis()); wrap-safe.
 */
typedef struct {
  uint32_t last_ms;
  uint16_t last_seq;  /* seq of the last valid VelocityCommand (Odometry.last_command_seq) */
  uint8_t fed;        /* a command has arrived since init or the last expiry */
} fl_watchdog;

static inline void fl_watchdog_init(fl_watchdog *w) { memset(w, 0, sizeof *w); }

static inline void fl_watchdog_feed(fl_watchdog *w, uint32_t now_ms, uint16_t seq) {
  w->last_ms = now_ms;
  w->last_seq = seq;
  w->fed = 1;
}

/** True when no valid VelocityCommand arrived in the last FL_WATCHDOG_MS: stop the motors and set FL_FAULT_COMMAND_WATCHDOG. */
static inline int fl_watchdog_expired(fl_watchdog *w, uint32_t now_ms) {
  if (w->fed && (uint32_t)(now_ms - w->last_ms) >= FL_WATCHDOG_MS) w->fed = 0;
  return !w->fed;
}

/* ------------------------------------------------------------------------ 64-bit clock */

/**
 * Extends a wrapping 32-bit microsecond counter (Arduino micros() wraps every 71.6 min)
 * to the 64-bit header timestamp. Call fl_clock_now() at least once per wrap period
 * (every few ms in a control loop is plenty) and from one context only.
 */
typedef struct {
  uint32_t last;
  uint32_t high;
} fl_clock;

static inline void fl_clock_init(fl_clock *c, uint32_t now32) {
  c->last = now32;
  c->high = 0;
}

static inline uint64_t fl_clock_now(fl_clock *c, uint32_t now32) {
  if (now32 < c->last) c->high++;
  c->last = now32;
  return ((uint64_t)c->high << 32) | now32;
}

#ifdef __cplusplus
}
#endif

#endif /* FORESIGHT_LINK_H */
