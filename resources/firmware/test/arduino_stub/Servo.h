/* Host-side stand-in for the Arduino Servo library (see Arduino.h in this folder). */
#ifndef FORESIGHT_SERVO_STUB_H
#define FORESIGHT_SERVO_STUB_H
#include "Arduino.h"
class Servo {
 public:
  uint8_t attach(int) { return 1; }
  void writeMicroseconds(int us) { sim::servo_us = us; }
};
#endif
