/**
 * Serial port discovery. The OS listing (serialport's list(), which relies on udev on
 * Linux) is tried first; where it fails or finds nothing usable (containers, CI, no udev),
 * /dev is scanned for the usual device names, plus simulator symlinks and any paths the
 * operator configured. Never throws: a failing source just contributes nothing.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { SerialPort } from 'serialport';
import type { PortInfo } from '../../shared/api';

/** Device names worth offering, in /dev. */
const DEV_PATTERNS = [/^ttyUSB\d+$/, /^ttyACM\d+$/, /^ttyS\d+$/, /^ttyAMA\d+$/, /^cu\.usb/, /^tty\.usb/];
/** Simulator pseudo-terminal links (see src/sim/pty.ts), e.g. /tmp/foresight-sim.tty. */
const SIM_LINK_PATTERN = /^foresight-.*\.tty$/;

export interface DiscoveryOptions {
  /** Extra device paths to offer if they exist (e.g. from the config file). */
  extraPaths?: string[];
  /** Directories scanned for simulator links. Default ['/tmp']. */
  simulatorLinkDirs?: string[];
  /** Directory scanned for device nodes. Default '/dev'. */
  devDir?: string;
  /** Skip the OS listing (tests, or where it is known to hang). */
  skipSystemList?: boolean;
  /** Give up on the OS listing after this long, ms. Default 1500. */
  systemListTimeoutMs?: number;
  /** Where USB ids of scanned devices are read (Linux sysfs). Default '/sys/class/tty'. */
  sysTtyDir?: string;
}

/**
 * Lists serial ports the console could open, most useful first: system-listed devices,
 * then scanned devices, then simulator links; each path once.
 */
export async function listPorts(options: DiscoveryOptions = {}): Promise<PortInfo[]> {
  const [system, scanned, simulators, extra] = await Promise.all([
    options.skipSystemList ? Promise.resolve([]) : listSystem(options.systemListTimeoutMs ?? 1500),
    scanDev(options.devDir ?? '/dev', options.sysTtyDir ?? '/sys/class/tty'),
    scanSimulatorLinks(options.simulatorLinkDirs ?? ['/tmp']),
    checkPaths(options.extraPaths ?? []),
  ]);
  const seen = new Set<string>();
  const out: PortInfo[] = [];
  for (const port of [...system, ...scanned, ...simulators, ...extra]) {
    if (seen.has(port.path)) continue;
    seen.add(port.path);
    out.push(port);
  }
  return out;
}

async function listSystem(timeoutMs: number): Promise<PortInfo[]> {
  try {
    const ports = await withTimeout(SerialPort.list(), timeoutMs);
    if (!ports) return [];
    return ports
      // Without udev every ttyS0–31 is listed whether or not a UART exists behind it.
      .filter((p) => p.manufacturer || p.vendorId || !/ttyS\d+$/.test(p.path))
      .map((p) => ({
        path: p.path,
        label: [p.manufacturer, p.serialNumber ? `#${p.serialNumber}` : null].filter(Boolean).join(' ') || basename(p.path),
        source: 'system' as const,
        ...usbIds(p.vendorId, p.productId),
      }));
  } catch {
    // udev missing (containers): the /dev scan covers it.
    return [];
  }
}

/** Hex ids normalised to 4 lower-case digits; nothing when either is missing or malformed. */
function usbIds(vendorId: string | undefined, productId: string | undefined): { vendorId?: string; productId?: string } {
  const norm = (id: string | undefined): string | null => (id && /^[0-9a-fA-F]{1,4}$/.test(id.trim()) ? id.trim().toLowerCase().padStart(4, '0') : null);
  const v = norm(vendorId);
  const p = norm(productId);
  return v && p ? { vendorId: v, productId: p } : {};
}

/**
 * USB ids of a tty from sysfs, without udev: /sys/class/tty/NAME/device points into the USB
 * interface; idVendor/idProduct sit on the USB device one or two levels up.
 */
async function sysfsUsbIds(sysTtyDir: string, name: string): Promise<{ vendorId?: string; productId?: string }> {
  let dir = await realpath(join(sysTtyDir, name, 'device')).catch(() => null);
  for (let up = 0; dir && up < 4; up++, dir = dirname(dir)) {
    const [v, p] = await Promise.all([readFile(join(dir, 'idVendor'), 'utf8').catch(() => null), readFile(join(dir, 'idProduct'), 'utf8').catch(() => null)]);
    if (v && p) return usbIds(v, p);
  }
  return {};
}

async function scanDev(devDir: string, sysTtyDir: string): Promise<PortInfo[]> {
  let names: string[];
  try {
    names = await readdir(devDir);
  } catch {
    return [];
  }
  const matches = names.filter((n) => DEV_PATTERNS.some((re) => re.test(n))).sort(naturalCompare);
  const out: PortInfo[] = [];
  for (const name of matches) {
    const path = join(devDir, name);
    if (await isCharacterDevice(path)) out.push({ path, label: labelFor(name), source: 'scan', ...(await sysfsUsbIds(sysTtyDir, name)) });
  }
  return out;
}

async function scanSimulatorLinks(dirs: string[]): Promise<PortInfo[]> {
  const out: PortInfo[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      continue;
    }
    for (const name of names.filter((n) => SIM_LINK_PATTERN.test(n)).sort()) {
      const path = join(dir, name);
      // A link left by a simulator that died points nowhere: skip it.
      const target = await realpath(path).catch(() => null);
      if (target && (await isCharacterDevice(target))) {
        out.push({ path, label: `Simulator (${target})`, source: 'simulator' });
      }
    }
  }
  return out;
}

async function checkPaths(paths: string[]): Promise<PortInfo[]> {
  const out: PortInfo[] = [];
  for (const path of paths) {
    if (await isCharacterDevice(path)) out.push({ path, label: `${basename(path)} (configured, in ${dirname(path)})`, source: 'scan' });
  }
  return out;
}

async function isCharacterDevice(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isCharacterDevice();
  } catch {
    return false;
  }
}

function labelFor(name: string): string {
  if (name.startsWith('ttyACM')) return `${name} (USB CDC-ACM)`;
  if (name.startsWith('ttyUSB')) return `${name} (USB serial adapter)`;
  if (name.startsWith('ttyS')) return `${name} (built-in UART)`;
  return name;
}

/** ttyS2 before ttyS10. */
function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(null), ms);
    promise.then(
      (v) => { clearTimeout(timer); resolve(v); },
      (e: unknown) => { clearTimeout(timer); reject(e); },
    );
  });
}
