/*
 * Host-side smoke test of the Arduino sketch: compiles foresight_base.ino against the stub
 * Arduino headers in arduino_stub/, plays the host for a few simulated seconds over the stub
 * Serial, and checks the session behaviour of docs/protocol.md §8:
 *   - nothing is sent before the first Ping; a Ping{requestHello} gets Pong then Hello, whose
 *     payload is the vector "hello-arduino-base-no-lidar";
 *   - Odometry 50 Hz, ScreenState 10 Hz, Status 2 Hz; micros() wrapping mid-run does not
 *     make timestamps jump back;
 *   - VelocityCommands drive the (simulated) wheels forward and odometry follows;
 *   - the motors stop within 250 ms (+ one 10 ms control tick) of the last valid command and
 *     CommandWatchdog is reported; Pings and bad-CRC commands never restart them;
 *   - Stop stops at once; ScreenCommand pans the servo.
 *
 *   c++ -std=c++11 -I resources/firmware -I resources/firmware/test/arduino_stub \
 *       resources/firmware/test/sketch_sim.cpp -o /tmp/sketch_sim && /tmp/sketch_sim test/vectors/link-vectors.json
 *
 * The wheel model is deliberately crude (speed = PWM / KFF with a 50 ms lag): this checks the
 * firmware's logic and timing, not its tuning.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string>

#include "../foresight_base/foresight_base.ino"

static int failures = 0, checks = 0;
#define CHECK(cond, ...)                                   \
  do {                                                     \
    checks++;                                              \
    if (!(cond)) {                                         \
      failures++;                                          \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
      fprintf(stderr, __VA_ARGS__);                        \
      fputc('\n', stderr);                                 \
    }                                                      \
  } while (0)

/* ------------------------------------------------------------------ host side */

static uint16_t host_seq = 0;
static uint64_t host_clock_us = 5000000000ull; /* the host's own clock, unrelated to the robot's */

static void host_send(fl_frame *f, bool corrupt = false) {
  uint8_t buf[64];
  size_t n = fl_encode_wire(f, buf, sizeof buf);
  if (corrupt) buf[n / 2] ^= 0x01; /* flips a byte inside the block: COBS or CRC catches it */
  for (size_t i = 0; i < n; i++) sim::rx.push_back(buf[i]);
}

static void send_ping(bool hello) {
  fl_frame f;
  fl_frame_init(&f, FL_MSG_PING, host_seq++, host_clock_us);
  f.u.ping.request_hello = hello;
  host_send(&f);
}

static void send_velocity(float v, float w, bool corrupt = false) {
  fl_frame f;
  fl_frame_init(&f, FL_MSG_VELOCITY_COMMAND, host_seq++, host_clock_us);
  f.u.velocity_command.v = v;
  f.u.velocity_command.w = w;
  host_send(&f, corrupt);
}

struct Received {
  fl_frame frame;
  uint64_t at_us; /* sim time of arrival */
  std::vector<uint8_t> body;
};

static uint8_t host_rx_buf[FL_MAX_WIRE_BYTES];
static fl_decoder host_dec;
static std::vector<Received> received;
static size_t tx_read = 0;

static void host_poll() {
  for (; tx_read < sim::tx.size(); tx_read++) {
    fl_frame f;
    fl_result r = fl_decoder_push(&host_dec, sim::tx[tx_read], &f);
    if (r == FL_NONE) continue;
    CHECK(r == FL_OK, "robot sent a bad frame: %s", fl_error_name(r));
    if (r != FL_OK) continue;
    Received rec;
    rec.frame = f;
    rec.at_us = sim::t_us;
    rec.body.assign(host_dec.buf, host_dec.buf + host_dec.body_len);
    received.push_back(rec);
  }
}

static size_t count_since(uint8_t type, uint64_t since_us) {
  size_t n = 0;
  for (const Received &r : received)
    if (r.frame.type == type && r.at_us >= since_us) n++;
  return n;
}

static const Received *last_of(uint8_t type) {
  for (size_t i = received.size(); i-- > 0;)
    if (received[i].frame.type == type) return &received[i];
  return nullptr;
}

/* ------------------------------------------------------------------ plant */

static float wheel_l = 0, wheel_r = 0;   /* m/s, forward positive */
static float acc_l = 0, acc_r = 0;       /* fractional encoder counts */

static void encoder_edge(int isr_index, uint8_t pin_a, uint8_t pin_b, int8_t enc_sign, int delta) {
  sim::level[pin_a] = 1;
  sim::level[pin_b] = (delta == enc_sign) ? 1 : 0; /* the sketch counts a == b as +sign */
  sim::isr[isr_index]();
}

static void plant_step(float dt) {
  const float metres_per_count = 2.0f * (float)M_PI * WHEEL_RADIUS / ENCODER_COUNTS_PER_REV;
  float raw_l = (float)sim::pwm[PIN_MOTOR_L_PWM] * (sim::level[PIN_MOTOR_L_DIR] ? -1.0f : 1.0f);
  float raw_r = (float)sim::pwm[PIN_MOTOR_R_PWM] * (sim::level[PIN_MOTOR_R_DIR] ? -1.0f : 1.0f);
  float target_l = (float)MOTOR_L_SIGN * raw_l / KFF, target_r = (float)MOTOR_R_SIGN * raw_r / KFF;
  wheel_l += (target_l - wheel_l) * dt / 0.05f;
  wheel_r += (target_r - wheel_r) * dt / 0.05f;
  acc_l += wheel_l * dt / metres_per_count;
  acc_r += wheel_r * dt / metres_per_count;
  while (acc_l >= 1) { encoder_edge(digitalPinToInterrupt(PIN_ENC_L_A), PIN_ENC_L_A, PIN_ENC_L_B, ENC_L_SIGN, 1); acc_l -= 1; }
  while (acc_l <= -1) { encoder_edge(digitalPinToInterrupt(PIN_ENC_L_A), PIN_ENC_L_A, PIN_ENC_L_B, ENC_L_SIGN, -1); acc_l += 1; }
  while (acc_r >= 1) { encoder_edge(digitalPinToInterrupt(PIN_ENC_R_A), PIN_ENC_R_A, PIN_ENC_R_B, ENC_R_SIGN, 1); acc_r -= 1; }
  while (acc_r <= -1) { encoder_edge(digitalPinToInterrupt(PIN_ENC_R_A), PIN_ENC_R_A, PIN_ENC_R_B, ENC_R_SIGN, -1); acc_r += 1; }
}

static bool motors_driven() { return sim::pwm[PIN_MOTOR_L_PWM] != 0 || sim::pwm[PIN_MOTOR_R_PWM] != 0; }

/** Runs the sketch for ms milliseconds in 250 µs steps; `each_ms` runs every simulated ms. */
template <typename F>
static void run_ms(uint32_t ms, F each_ms) {
  for (uint32_t i = 0; i < ms; i++) {
    each_ms(i);
    for (int k = 0; k < 4; k++) {
      sim::t_us += 250;
      host_clock_us += 250;
      plant_step(0.00025f);
      loop();
      host_poll();
    }
  }
}
static void run_ms(uint32_t ms) { run_ms(ms, [](uint32_t) {}); }

/* ------------------------------------------------------------------ vectors (Hello payload) */

static std::string vector_frame_hex(const char *path, const char *name) {
  FILE *fp = fopen(path, "rb");
  if (!fp) return "";
  std::string text;
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) text.append(chunk, n);
  fclose(fp);
  size_t at = text.find(std::string("\"name\": \"") + name + "\"");
  if (at == std::string::npos) return "";
  at = text.find("\"frame_hex\": \"", at);
  if (at == std::string::npos) return "";
  at += 14;
  return text.substr(at, text.find('"', at) - at);
}

int main(int argc, char **argv) {
  const char *vectors = argc > 1 ? argv[1] : "test/vectors/link-vectors.json";
  sim::t_us = 0xFFFFFFFFull - 1500000ull; /* micros() wraps 1.5 s into the run */
  sim::level[PIN_ESTOP] = LOW;             /* e-stop released */
  sim::level[PIN_BUMPER] = HIGH;           /* bumper released */
  sim::adc[PIN_BATTERY] = 620;             /* ≈ 12.1 V */
  fl_decoder_init(&host_dec, host_rx_buf, sizeof host_rx_buf);
  setup();
  CHECK(sim::baud == LINK_BAUD, "baud");

  run_ms(300);
  CHECK(received.empty(), "the robot must not stream before the first Ping (%lu frames)", (unsigned long)received.size());
  CHECK(!motors_driven(), "motors must be off at boot");

  /* Handshake. */
  uint16_t ping_seq = host_seq;
  uint64_t ping_time = host_clock_us;
  send_ping(true);
  run_ms(5);
  CHECK(received.size() >= 2 && received[0].frame.type == FL_MSG_PONG && received[1].frame.type == FL_MSG_HELLO, "Pong then Hello");
  if (received.size() >= 2) {
    const fl_pong &p = received[0].frame.u.pong;
    CHECK(p.ping_seq == ping_seq && p.host_time_us == ping_time, "Pong echoes the Ping's seq and timestamp");
    CHECK(p.robot_rx_time_us <= received[0].frame.timestamp_us, "robotRxTime ≤ Pong send time");
    std::string want = vector_frame_hex(vectors, "hello-arduino-base-no-lidar");
    const std::vector<uint8_t> &body = received[1].body;
    std::string got;
    char h[3];
    for (size_t i = 12; i + 2 < body.size(); i++) {
      snprintf(h, sizeof h, "%02x", body[i]);
      got += h;
    }
    CHECK(want.size() > 28 && got == want.substr(24, want.size() - 28), "Hello payload differs from vector hello-arduino-base-no-lidar\n  got  %s\n  want %s", got.c_str(), want.size() > 28 ? want.substr(24, want.size() - 28).c_str() : "(vector missing)");
  }

  /* Streams over 2 s with the host's 5 Hz Ping and no commands; micros() wraps in here. */
  uint64_t t0 = sim::t_us;
  run_ms(2000, [](uint32_t i) { if (i % 200 == 0) send_ping(false); });
  size_t odo = count_since(FL_MSG_ODOMETRY, t0), scr = count_since(FL_MSG_SCREEN_STATE, t0), st = count_since(FL_MSG_STATUS, t0);
  CHECK(odo >= 98 && odo <= 101, "Odometry at 50 Hz: %lu in 2 s", (unsigned long)odo);
  CHECK(scr >= 19 && scr <= 21, "ScreenState at 10 Hz: %lu in 2 s", (unsigned long)scr);
  CHECK(st >= 3 && st <= 5, "Status at 2 Hz: %lu in 2 s", (unsigned long)st);
  CHECK(count_since(FL_MSG_PONG, t0) == 10, "a Pong per Ping");
  CHECK(count_since(FL_MSG_LASER_SCAN, t0) == 0, "no LaserScan from a lidar-less base");
  for (size_t i = 1; i < received.size(); i++) {
    CHECK(received[i].frame.timestamp_us >= received[i - 1].frame.timestamp_us, "timestamps must not go back (frame %lu)", (unsigned long)i);
    CHECK(received[i].frame.seq == (uint16_t)(received[i - 1].frame.seq + 1), "seq +1 per frame (frame %lu)", (unsigned long)i);
  }
  CHECK(received.back().frame.timestamp_us > 0xFFFFFFFFull, "timestamps continue past the 32-bit wrap");
  const Received *status = last_of(FL_MSG_STATUS);
  CHECK(status && (status->frame.u.status.faults & FL_FAULT_COMMAND_WATCHDOG) && !status->frame.u.status.motors_enabled, "CommandWatchdog while no command has arrived");
  CHECK(status && status->frame.u.status.battery_percent <= 100 && status->frame.u.status.battery_voltage > 11.5f, "battery");
  CHECK(!motors_driven(), "Pings alone must not move the robot");

  /* Teleop: v = 0.3 m/s at 25 Hz for 2 s. */
  uint16_t last_cmd = 0;
  uint64_t last_cmd_us = 0;
  run_ms(2000, [&](uint32_t i) {
    if (i % 40 == 0) { last_cmd = host_seq; last_cmd_us = sim::t_us; send_velocity(0.3f, 0.0f); }
    if (i % 200 == 0) send_ping(false);
  });
  const Received *odom = last_of(FL_MSG_ODOMETRY);
  CHECK(odom && odom->frame.u.odometry.x > 0.4f && odom->frame.u.odometry.x < 0.65f, "odometry x after 2 s at 0.3 m/s: %f", odom ? (double)odom->frame.u.odometry.x : -1.0);
  CHECK(odom && fabsf(odom->frame.u.odometry.v - 0.3f) < 0.05f, "measured v %f", odom ? (double)odom->frame.u.odometry.v : -1.0);
  CHECK(odom && fabsf(odom->frame.u.odometry.y) < 0.02f && fabsf(odom->frame.u.odometry.theta) < 0.05f, "straight line");
  CHECK(odom && odom->frame.u.odometry.last_command_seq == last_cmd, "lastCommandSeq %u, expected %u", odom ? odom->frame.u.odometry.last_command_seq : 0, last_cmd);
  status = last_of(FL_MSG_STATUS);
  CHECK(status && !(status->frame.u.status.faults & FL_FAULT_COMMAND_WATCHDOG) && status->frame.u.status.motors_enabled, "motors enabled while commanded");

  /* Commands stop (Pings and bad-CRC commands continue): motors off within 250 ms + one tick. */
  uint32_t stopped_after = 0;
  run_ms(1000, [&](uint32_t i) {
    if (i % 40 == 20) send_velocity(0.3f, 0.0f, true);
    if (i % 200 == 0) send_ping(false);
    if (!stopped_after && !motors_driven()) stopped_after = (uint32_t)((sim::t_us - last_cmd_us) / 1000);
  });
  CHECK(stopped_after >= 240 && stopped_after <= 262, "watchdog stop %u ms after the last command", stopped_after);
  CHECK(!motors_driven(), "Pings and corrupted commands must not restart the motors");
  CHECK(host_dec.frames > 0 && decoder.errors[FL_ERR_CRC] + decoder.errors[FL_ERR_COBS] == 25, "robot counted 25 bad frames (crc %lu, cobs %lu)", (unsigned long)decoder.errors[FL_ERR_CRC], (unsigned long)decoder.errors[FL_ERR_COBS]);
  status = last_of(FL_MSG_STATUS);
  CHECK(status && (status->frame.u.status.faults & FL_FAULT_COMMAND_WATCHDOG), "CommandWatchdog after the timeout");

  /* Stop: immediate. */
  run_ms(500, [](uint32_t i) { if (i % 40 == 0) send_velocity(0.3f, 0.5f); });
  CHECK(motors_driven(), "motors run again after a valid command");
  {
    fl_frame f;
    fl_frame_init(&f, FL_MSG_STOP, host_seq++, host_clock_us);
    f.u.stop.reason = FL_STOP_OPERATOR;
    host_send(&f);
    run_ms(1);
    CHECK(!motors_driven(), "Stop must stop the motors at once");
  }

  /* Pan. */
  {
    fl_frame f;
    fl_frame_init(&f, FL_MSG_SCREEN_COMMAND, host_seq++, host_clock_us);
    f.u.screen_command.pan_angle = 1.0f;
    f.u.screen_command.max_rate = 10.0f; /* capped at PAN_MAX_RATE */
    host_send(&f);
    run_ms(1500);
    const Received *s = last_of(FL_MSG_SCREEN_STATE);
    CHECK(s && fabsf(s->frame.u.screen_state.pan_angle - 1.0f) < 0.01f, "pan reached 1 rad: %f", s ? (double)s->frame.u.screen_state.pan_angle : -9.0);
    CHECK(abs(sim::servo_us - 1818) <= 2, "servo pulse %d µs", sim::servo_us);
  }

  CHECK(fl_decoder_error_count(&host_dec) == 0, "host saw bad frames from the robot");
  printf("%s: %d checks, %d failed (%lu frames from the sketch)\n", failures ? "FAIL" : "ok", checks, failures, (unsigned long)received.size());
  return failures ? 1 : 0;
}
