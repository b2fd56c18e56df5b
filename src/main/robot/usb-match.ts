/**
 * Which profile a port's USB ids suggest: the connection panel proposes it, the operator
 * decides. Several devices share a chip (a CP210x sits on RPLIDARs and on ROBOTIS's LDS
 * adapter; FTDI chips on many things), so a proposal names every profile that matches and
 * says what the chip is.
 */
import type { PortInfo } from '../../shared/api';
import type { ProfileCatalog } from '../../shared/robots';

export function proposeProfiles(ports: PortInfo[], catalog: ProfileCatalog): PortInfo[] {
  return ports.map((port) => {
    if (!port.vendorId || !port.productId) return port;
    const same = (u: { vendorId: string; productId: string }): boolean => u.vendorId === port.vendorId && u.productId === port.productId;
    const robots = catalog.robots.filter((r) => r.usb.some(same));
    const lidars = catalog.lidars.filter((l) => l.usb.some(same));
    if (robots.length === 0 && lidars.length === 0) return port;
    const what = [...robots.flatMap((r) => r.usb), ...lidars.flatMap((l) => l.usb)].find(same)!.what;
    return {
      ...port,
      proposal: {
        // Several robots on one chip (Burger and Waffle Pi on OpenCR): the first is proposed, the operator picks.
        ...(robots.length > 0 ? { robot: robots[0]!.name } : {}),
        ...(lidars.length > 0 ? { lidars: lidars.map((l) => l.name) } : {}),
        what: robots.length > 1 ? `${what}: ${robots.map((r) => r.title).join(' or ')}` : what,
      },
    };
  });
}
