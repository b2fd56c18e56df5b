/** The robot link, host side: transports, discovery and the RobotLink session (the wire codec is src/shared/wire). */
export * from './transport';
export { SerialTransport, type SerialTransportOptions } from './serial-transport';
export { TcpTransport, type TcpTransportOptions } from './tcp-transport';
export { MemoryTransport, type MemoryRobotEnd } from './memory-transport';
export { listPorts, type DiscoveryOptions } from './discovery';
export { ClockSync, type ClockSample, type ClockJump, type ClockSyncOptions } from './clock-sync';
export * from './robot-link';
export { FrameDecoder, encodeWire, type FrameErrorReason, type DecodeResult, type DecoderStats } from '../../shared/wire';
export { SilenceWatch, describeSilence } from './silence';
