/*
 * foresight_base — reference Arduino firmware for a Foresight differential-drive base.
 *
 * Speaks the Foresight robot link v1 (docs/protocol.md) through foresight_link.h:
 *   - replies to every Ping with Pong, and with Hello when the Ping asks for it;
 *   - once pinged, streams Odometry at 50 Hz, ScreenState at 10 Hz, Status at 2 Hz;
 *   - drives two wheels from VelocityCommand (v, w) with a per-wheel PI speed loop on
 *     quadrature encoders read by interrupts, and pans a hobby servo from ScreenCommand;
 *   - stops the motors 250 ms after the last VALID VelocityCommand (the command watchdog;
 *     Pings and bad frames never renew motion) and reports FL_FAULT_COMMAND_WATCHDOG;
 *     stops at once on Stop, on the e-stop input, and on a non-finite command.
 *
 * No lidar: an Arduino cannot carry a 360-beam scan at 10 Hz. Hello advertises 0 beams
 * and this sketch sends no LaserScan. A robot with a lidar sends LaserScan on the same
 * link from a co-processor that owns the link (see docs/protocol.md, "Robots without a
 * lidar on the MCU").
 *
 * Build: copy ../foresight_link.h next to this file (`make -C resources/firmware sketch`),
 * open in the Arduino IDE or `arduino-cli compile -b arduino:avr:leonardo`. Boards with
 * native USB (Leonardo/Micro, SAMD21, RP2040, Teensy) ignore the baud rate; on an Uno/Nano
 * use LINK_BAUD 500000 (exact at 16 MHz; 921600 is not reachable) and start the console
 * with --baud 500000. Uses the Servo library (bundled with the IDE): on AVR it takes
 * Timer1, so the motor PWM pins below are on Timer0 (pins 5 and 6).
 *
 * Host-side smoke test: resources/firmware/test/sketch_sim.cpp compiles this sketch against
 * stub Arduino headers and drives it through a handshake, teleop and the watchdog.
 */
#include <Arduino.h>
#include <Servo.h>
#include <math.h>

#include "foresight_link.h"

/* ------------------------------------------------------------------ configuration */

#ifndef LINK_BAUD
#define LINK_BAUD 921600UL
#endif

static const char ROBOT_NAME[] = "foresight-base";

/* Pins (Leonardo/Uno numbering). Encoder A channels must be interrupt pins. */
static const uint8_t PIN_ENC_L_A = 2, PIN_ENC_L_B = 4;
static const uint8_t PIN_ENC_R_A = 3, PIN_ENC_R_B = 7;
static const uint8_t PIN_MOTOR_L_PWM = 5, PIN_MOTOR_L_DIR = 8;
static const uint8_t PIN_MOTOR_R_PWM = 6, PIN_MOTOR_R_DIR = 12;
static const uint8_t PIN_PAN_SERVO = 9;
static const int8_t PIN_BATTERY = A0;   /* via a divider; -1 if not wired */
static const int8_t PIN_ESTOP = A1;     /* HIGH = pressed (normally-closed loop to GND, pull-up) */
static const int8_t PIN_BUMPER = A2;    /* LOW = bumper pressed; -1 if not wired */
static const int8_t PIN_MOTOR_FAULT = -1; /* driver nFAULT, LOW = fault; -1 if not wired */

/* Geometry and drive (metres, seconds, radians). */
static const float WHEEL_RADIUS = 0.035f;
static const float WHEEL_BASE = 0.25f;
static const float ENCODER_COUNTS_PER_REV = 720.0f; /* counts per wheel turn as decoded (A edges ×2) */
static const int8_t ENC_L_SIGN = 1, ENC_R_SIGN = -1;    /* so forward motion counts up on both sides */
static const int8_t MOTOR_L_SIGN = 1, MOTOR_R_SIGN = -1;

static const float MAX_V = 0.5f, MAX_W = 2.5f;         /* m/s, rad/s */
static const float MAX_ACC_V = 0.75f, MAX_ACC_W = 4.0f; /* m/s², rad/s² */
static const float MAX_JERK_V = 4.0f, MAX_JERK_W = 16.0f; /* advertised for the planner; not shaped here */

/* Pan servo: ±1.5 rad, 2 rad/s, 8 rad/s². Servo pulse: 1500 µs centre, 318 µs/rad (≈ 1000–2000 µs over ±π/2). */
static const float PAN_MIN = -1.5f, PAN_MAX = 1.5f, PAN_MAX_RATE = 2.0f, PAN_MAX_ACCEL = 8.0f;
static const float SERVO_CENTER_US = 1500.0f, SERVO_US_PER_RAD = 318.3f;

/* Footprint rectangle in base_link (m). */
static const float FOOTPRINT_LENGTH = 0.375f, FOOTPRINT_WIDTH = 0.3125f, FOOTPRINT_CENTER_X = -0.0625f;

/* Wheel speed PI: PWM = KFF·target + KP·error + ∫KI·error, PWM in [-255, 255]. */
static const float KFF = 400.0f;  /* PWM per m/s: ≈ 255 / top wheel speed */
static const float KP = 300.0f, KI = 1500.0f, I_LIMIT = 120.0f;

/* Battery: 3S Li-ion through a 1:4 divider on a 5 V ADC. */
static const float BATTERY_SCALE = 5.0f * 4.0f / 1023.0f;
static const float BATTERY_EMPTY_V = 9.9f, BATTERY_FULL_V = 12.6f, BATTERY_LOW_V = 10.5f;

/* Periods (ms): control 100 Hz; streams per docs/protocol.md. */
static const uint32_t CONTROL_MS = 10, ODOMETRY_MS = 20, SCREEN_MS = 100, STATUS_MS = 500;

/* ------------------------------------------------------------------ state */

static volatile int32_t enc_left = 0, enc_right = 0;

static uint8_t rx_buf[64]; /* host frames are ≤ 24 wire bytes in v1 */
static uint8_t tx_buf[160]; /* Hello, the largest frame we send, is 134 bytes */
static fl_decoder decoder;
static fl_watchdog watchdog;
static fl_clock clock64;
static uint16_t tx_seq = 0;
static bool pinged = false;

static float target_v = 0, target_w = 0;  /* last valid command, clamped */
static float ramp_v = 0, ramp_w = 0;      /* acceleration-limited setpoint */
static float meas_v = 0, meas_w = 0;      /* measured body velocity, filtered */
static float odom_x = 0, odom_y = 0, odom_theta = 0;
static float integ_l = 0, integ_r = 0;
static int32_t last_enc_l = 0, last_enc_r = 0;
static float meas_wheel_l = 0, meas_wheel_r = 0;
static bool motors_enabled = false;

static Servo pan_servo;
static float pan_angle = 0, pan_velocity = 0, pan_target = 0, pan_rate = PAN_MAX_RATE;

static uint32_t t_control = 0, t_odometry = 0, t_screen = 0, t_status = 0;

/* ------------------------------------------------------------------ encoders */

static void isr_left() {
  bool a = digitalRead(PIN_ENC_L_A), b = digitalRead(PIN_ENC_L_B);
  enc_left += (a == b) ? ENC_L_SIGN : -ENC_L_SIGN;
}

static void isr_right() {
  bool a = digitalRead(PIN_ENC_R_A), b = digitalRead(PIN_ENC_R_B);
  enc_right += (a == b) ? ENC_R_SIGN : -ENC_R_SIGN;
}

static void read_encoders(int32_t *l, int32_t *r) {
  noInterrupts(); /* 32-bit reads are not atomic on AVR */
  *l = enc_left;
  *r = enc_right;
  interrupts();
}

/* ------------------------------------------------------------------ helpers */

static float clampf(float x, float lo, float hi) { return x < lo ? lo : x > hi ? hi : x; }

static float wrap_angle(float a) { /* (−π, π] */
  while (a > (float)M_PI) a -= 2.0f * (float)M_PI;
  while (a <= -(float)M_PI) a += 2.0f * (float)M_PI;
  return a;
}

static float step_toward(float x, float target, float max_step) {
  return x + clampf(target - x, -max_step, max_step);
}

static uint64_t now_us() { return fl_clock_now(&clock64, micros()); }

static void set_motor(uint8_t pwm_pin, uint8_t dir_pin, int8_t sign, float pwm) {
  int value = (int)lroundf(clampf(pwm * sign, -255.0f, 255.0f));
  digitalWrite(dir_pin, value < 0 ? HIGH : LOW);
  analogWrite(pwm_pin, value < 0 ? -value : value);
}

static void stop_motors_now() {
  target_v = target_w = 0;
  ramp_v = ramp_w = 0;
  integ_l = integ_r = 0;
  set_motor(PIN_MOTOR_L_PWM, PIN_MOTOR_L_DIR, MOTOR_L_SIGN, 0);
  set_motor(PIN_MOTOR_R_PWM, PIN_MOTOR_R_DIR, MOTOR_R_SIGN, 0);
}

static bool estop_pressed() { return PIN_ESTOP >= 0 && digitalRead(PIN_ESTOP) == HIGH; }
static bool motor_fault() { return PIN_MOTOR_FAULT >= 0 && digitalRead(PIN_MOTOR_FAULT) == LOW; }

static float battery_voltage() { return PIN_BATTERY >= 0 ? analogRead(PIN_BATTERY) * BATTERY_SCALE : 0.0f; }

/* ------------------------------------------------------------------ sending */

static void serial_put(void *ctx, uint8_t byte) {
  (void)ctx;
  Serial.write(byte);
}

static void send(fl_frame *f) {
  fl_send_frame(f, tx_buf, sizeof tx_buf, serial_put, NULL);
}

static void begin(fl_frame *f, uint8_t type) { fl_frame_init(f, type, tx_seq++, now_us()); }

static void send_hello() {
  fl_frame f;
  begin(&f, FL_MSG_HELLO);
  fl_hello *h = &f.u.hello;
  h->protocol_version = FL_PROTOCOL_VERSION;
  h->name_len = (uint8_t)(sizeof ROBOT_NAME - 1);
  memcpy(h->name, ROBOT_NAME, h->name_len);
  h->footprint_length = FOOTPRINT_LENGTH;
  h->footprint_width = FOOTPRINT_WIDTH;
  h->footprint_center_offset_x = FOOTPRINT_CENTER_X;
  h->wheel_base = WHEEL_BASE;
  h->max_linear_velocity = MAX_V;
  h->max_angular_velocity = MAX_W;
  h->max_linear_accel = MAX_ACC_V;
  h->max_angular_accel = MAX_ACC_W;
  h->max_linear_jerk = MAX_JERK_V;
  h->max_angular_jerk = MAX_JERK_W;
  h->pan_min = PAN_MIN;
  h->pan_max = PAN_MAX;
  h->pan_max_rate = PAN_MAX_RATE;
  h->pan_max_accel = PAN_MAX_ACCEL;
  h->lidar_beams = 0; /* no lidar on this link; all lidar fields stay 0 */
  send(&f);
}

static void send_odometry() {
  fl_frame f;
  begin(&f, FL_MSG_ODOMETRY);
  f.u.odometry.x = odom_x;
  f.u.odometry.y = odom_y;
  f.u.odometry.theta = odom_theta;
  f.u.odometry.v = meas_v;
  f.u.odometry.w = meas_w;
  f.u.odometry.last_command_seq = watchdog.last_seq;
  send(&f);
}

static void send_screen_state() {
  fl_frame f;
  begin(&f, FL_MSG_SCREEN_STATE);
  f.u.screen_state.pan_angle = pan_angle; /* commanded: a hobby servo has no position feedback */
  f.u.screen_state.pan_velocity = pan_velocity;
  send(&f);
}

static void send_status() {
  fl_frame f;
  float volts = battery_voltage();
  uint32_t faults = 0;
  begin(&f, FL_MSG_STATUS);
  if (fl_watchdog_expired(&watchdog, millis())) faults |= FL_FAULT_COMMAND_WATCHDOG;
  if (motor_fault()) faults |= FL_FAULT_MOTOR_DRIVER;
  if (PIN_BATTERY >= 0 && volts < BATTERY_LOW_V) faults |= FL_FAULT_LOW_BATTERY;
  if (PIN_BUMPER >= 0 && digitalRead(PIN_BUMPER) == LOW) faults |= FL_FAULT_BUMPER;
  f.u.status.battery_voltage = volts;
  f.u.status.battery_percent =
      PIN_BATTERY >= 0 ? (uint8_t)lroundf(100.0f * clampf((volts - BATTERY_EMPTY_V) / (BATTERY_FULL_V - BATTERY_EMPTY_V), 0, 1)) : 255;
  f.u.status.faults = faults;
  f.u.status.estop_pressed = estop_pressed();
  f.u.status.motors_enabled = motors_enabled;
  send(&f);
}

/* ------------------------------------------------------------------ receiving */

static void handle(const fl_frame *in, uint64_t rx_us) {
  switch (in->type) {
    case FL_MSG_PING: {
      fl_frame f;
      begin(&f, FL_MSG_PONG);
      f.u.pong.ping_seq = in->seq;
      f.u.pong.host_time_us = in->timestamp_us;
      f.u.pong.robot_rx_time_us = rx_us;
      send(&f);
      if (in->u.ping.request_hello) send_hello();
      pinged = true;
      break;
    }
    case FL_MSG_VELOCITY_COMMAND: {
      float v = in->u.velocity_command.v, w = in->u.velocity_command.w;
      if (!isfinite(v) || !isfinite(w)) { /* never move on garbage: treat as no command */
        stop_motors_now();
        break;
      }
      fl_watchdog_feed(&watchdog, millis(), in->seq);
      target_v = clampf(v, -MAX_V, MAX_V);
      target_w = clampf(w, -MAX_W, MAX_W);
      break;
    }
    case FL_MSG_SCREEN_COMMAND: {
      float a = in->u.screen_command.pan_angle, r = in->u.screen_command.max_rate;
      if (!isfinite(a)) break;
      pan_target = clampf(a, PAN_MIN, PAN_MAX);
      pan_rate = (isfinite(r) && r > 0) ? (r < PAN_MAX_RATE ? r : PAN_MAX_RATE) : PAN_MAX_RATE;
      break;
    }
    case FL_MSG_STOP:
      stop_motors_now(); /* not latched: the next valid VelocityCommand applies again */
      break;
    default:
      break; /* robot→host types echoed back, or future types: ignore */
  }
}

static void poll_serial() {
  while (Serial.available() > 0) {
    fl_frame in;
    int c = Serial.read();
    if (c < 0) break;
    if (fl_decoder_push(&decoder, (uint8_t)c, &in) == FL_OK) handle(&in, now_us());
    /* Errors are counted in decoder.errors[]; the decoder resyncs at the next 0x00. */
  }
}

/* ------------------------------------------------------------------ control (100 Hz) */

static void control_step(float dt) {
  int32_t l, r;
  read_encoders(&l, &r);
  const float metres_per_count = 2.0f * (float)M_PI * WHEEL_RADIUS / ENCODER_COUNTS_PER_REV;
  float dl = (float)(l - last_enc_l) * metres_per_count;
  float dr = (float)(r - last_enc_r) * metres_per_count;
  last_enc_l = l;
  last_enc_r = r;

  /* Odometry: midpoint integration in the odom frame. */
  float ds = 0.5f * (dl + dr), dth = (dr - dl) / WHEEL_BASE;
  odom_x += ds * cosf(odom_theta + 0.5f * dth);
  odom_y += ds * sinf(odom_theta + 0.5f * dth);
  odom_theta = wrap_angle(odom_theta + dth);
  const float alpha = 0.3f; /* low-pass on velocities: encoder counts are coarse at 10 ms */
  meas_wheel_l += alpha * (dl / dt - meas_wheel_l);
  meas_wheel_r += alpha * (dr / dt - meas_wheel_r);
  meas_v = 0.5f * (meas_wheel_l + meas_wheel_r);
  meas_w = (meas_wheel_r - meas_wheel_l) / WHEEL_BASE;

  /* Safety gates: watchdog, e-stop, driver fault. */
  bool expired = fl_watchdog_expired(&watchdog, millis());
  motors_enabled = !expired && !estop_pressed() && !motor_fault();
  if (!motors_enabled) {
    stop_motors_now();
  } else {
    ramp_v = step_toward(ramp_v, target_v, MAX_ACC_V * dt);
    ramp_w = step_toward(ramp_w, target_w, MAX_ACC_W * dt);
    float want_l = ramp_v - 0.5f * WHEEL_BASE * ramp_w;
    float want_r = ramp_v + 0.5f * WHEEL_BASE * ramp_w;
    float err_l = want_l - meas_wheel_l, err_r = want_r - meas_wheel_r;
    integ_l = clampf(integ_l + KI * err_l * dt, -I_LIMIT, I_LIMIT);
    integ_r = clampf(integ_r + KI * err_r * dt, -I_LIMIT, I_LIMIT);
    if (want_l == 0 && want_r == 0 && fabsf(meas_wheel_l) < 0.01f && fabsf(meas_wheel_r) < 0.01f) {
      integ_l = integ_r = 0; /* at rest: no hum, no creep */
    }
    set_motor(PIN_MOTOR_L_PWM, PIN_MOTOR_L_DIR, MOTOR_L_SIGN, KFF * want_l + KP * err_l + integ_l);
    set_motor(PIN_MOTOR_R_PWM, PIN_MOTOR_R_DIR, MOTOR_R_SIGN, KFF * want_r + KP * err_r + integ_r);
  }

  /* Pan: velocity toward the target, limited by rate, acceleration and the stopping distance. */
  float err = pan_target - pan_angle;
  float reachable = sqrtf(2.0f * PAN_MAX_ACCEL * fabsf(err));
  float want = clampf(err > 0 ? reachable : -reachable, -pan_rate, pan_rate);
  pan_velocity = step_toward(pan_velocity, want, PAN_MAX_ACCEL * dt);
  if (fabsf(err) < 0.002f && fabsf(pan_velocity) < 0.05f) {
    pan_angle = pan_target;
    pan_velocity = 0;
  } else {
    pan_angle = clampf(pan_angle + pan_velocity * dt, PAN_MIN, PAN_MAX);
  }
  pan_servo.writeMicroseconds((int)lroundf(SERVO_CENTER_US + SERVO_US_PER_RAD * pan_angle));
}

/* ------------------------------------------------------------------ Arduino entry points */

void setup() {
  pinMode(PIN_ENC_L_A, INPUT_PULLUP);
  pinMode(PIN_ENC_L_B, INPUT_PULLUP);
  pinMode(PIN_ENC_R_A, INPUT_PULLUP);
  pinMode(PIN_ENC_R_B, INPUT_PULLUP);
  pinMode(PIN_MOTOR_L_DIR, OUTPUT);
  pinMode(PIN_MOTOR_R_DIR, OUTPUT);
  pinMode(PIN_MOTOR_L_PWM, OUTPUT);
  pinMode(PIN_MOTOR_R_PWM, OUTPUT);
  if (PIN_ESTOP >= 0) pinMode(PIN_ESTOP, INPUT_PULLUP);
  if (PIN_BUMPER >= 0) pinMode(PIN_BUMPER, INPUT_PULLUP);
  if (PIN_MOTOR_FAULT >= 0) pinMode(PIN_MOTOR_FAULT, INPUT_PULLUP);
  attachInterrupt(digitalPinToInterrupt(PIN_ENC_L_A), isr_left, CHANGE);
  attachInterrupt(digitalPinToInterrupt(PIN_ENC_R_A), isr_right, CHANGE);
  pan_servo.attach(PIN_PAN_SERVO);
  pan_servo.writeMicroseconds((int)SERVO_CENTER_US);

  stop_motors_now();
  fl_decoder_init(&decoder, rx_buf, sizeof rx_buf);
  fl_watchdog_init(&watchdog); /* expired until the first valid command */
  fl_clock_init(&clock64, micros());
  Serial.begin(LINK_BAUD);
  t_control = t_odometry = t_screen = t_status = millis();
}

void loop() {
  uint32_t now = millis();
  poll_serial();

  if (now - t_control >= CONTROL_MS) {
    float dt = (float)(now - t_control) * 1e-3f;
    t_control = now;
    control_step(dt > 0.05f ? 0.05f : dt);
  } else if (fl_watchdog_expired(&watchdog, now) && motors_enabled) {
    stop_motors_now(); /* don't wait for the next control tick to honour the watchdog */
    motors_enabled = false;
  }

  if (!pinged) return;
  /* Fixed-rate schedules: advance by the period, but never fall more than one period behind. */
  if (now - t_odometry >= ODOMETRY_MS) {
    t_odometry = (now - t_odometry >= 2 * ODOMETRY_MS) ? now : t_odometry + ODOMETRY_MS;
    send_odometry();
  }
  if (now - t_screen >= SCREEN_MS) {
    t_screen = (now - t_screen >= 2 * SCREEN_MS) ? now : t_screen + SCREEN_MS;
    send_screen_state();
  }
  if (now - t_status >= STATUS_MS) {
    t_status = (now - t_status >= 2 * STATUS_MS) ? now : t_status + STATUS_MS;
    send_status();
  }
}
