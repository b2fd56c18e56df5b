/*
 * Minimal host-side stand-in for <Arduino.h>, just enough to compile and drive
 * foresight_base.ino in test/sketch_sim.cpp (one translation unit). Not a simulator of any
 * board: time, pins, PWM, ADC, interrupts and Serial are plain variables the test controls.
 */
#ifndef FORESIGHT_ARDUINO_STUB_H
#define FORESIGHT_ARDUINO_STUB_H
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <deque>
#include <vector>

#define HIGH 1
#define LOW 0
#define INPUT 0
#define OUTPUT 1
#define INPUT_PULLUP 2
#define CHANGE 1
#define A0 14
#define A1 15
#define A2 16

namespace sim {
static uint64_t t_us = 0;          /* simulated time since boot */
static int level[32];              /* digital pin levels (inputs set by the test, outputs by the sketch) */
static int pwm[32];                /* last analogWrite per pin */
static int adc[32];                /* analogRead values */
static void (*isr[8])() = {0};     /* attached interrupt handlers */
static std::deque<uint8_t> rx;     /* host → robot bytes */
static std::vector<uint8_t> tx;    /* robot → host bytes */
static int servo_us = 0;
static unsigned long baud = 0;
}  // namespace sim

inline uint32_t millis() { return (uint32_t)(sim::t_us / 1000u); }
inline uint32_t micros() { return (uint32_t)sim::t_us; } /* wraps like the real one */
inline void pinMode(uint8_t, uint8_t) {}
inline int digitalRead(uint8_t pin) { return sim::level[pin & 31]; }
inline void digitalWrite(uint8_t pin, uint8_t v) { sim::level[pin & 31] = v ? 1 : 0; }
inline void analogWrite(uint8_t pin, int v) { sim::pwm[pin & 31] = v; }
inline int analogRead(uint8_t pin) { return sim::adc[pin & 31]; }
inline int digitalPinToInterrupt(uint8_t pin) { return pin == 3 ? 0 : pin == 2 ? 1 : -1; }
inline void attachInterrupt(int n, void (*fn)(), int) { if (n >= 0 && n < 8) sim::isr[n] = fn; }
inline void noInterrupts() {}
inline void interrupts() {}

struct StubSerial {
  void begin(unsigned long b) { sim::baud = b; }
  int available() { return (int)sim::rx.size(); }
  int read() {
    if (sim::rx.empty()) return -1;
    int c = sim::rx.front();
    sim::rx.pop_front();
    return c;
  }
  size_t write(uint8_t b) {
    sim::tx.push_back(b);
    return 1;
  }
};
static StubSerial Serial;

#endif
