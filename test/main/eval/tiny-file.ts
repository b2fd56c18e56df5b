/** Test fixture shared by the eval and CLI tests. */
/**
 * A tiny hand-made file, 20 annotated frames (0, 10, …, 190):
 *  - ped 1 walks +x one metre per frame: constant velocity predicts it exactly (error 0);
 *  - ped 2 walks +y one metre per frame for the 8 observed frames (y = 0 … 7) and then
 *    stops at y = 7: constant velocity's error at predicted step j is j metres, so
 *    ADE = mean(1 … 12) = 6.5 and FDE = 12;
 *  - ped 3 appears in frames 0 … 90 only, so it does not count.
 * Over the two counted pedestrians: ADE (0 + 6.5) / 2 = 3.25, FDE (0 + 12) / 2 = 6.
 */
export function tinyFile(): string {
  const lines: string[] = [];
  for (let k = 0; k < 20; k++) {
    lines.push(`${k * 10}\t1.0\t${k}.0\t0.0`);
    lines.push(`${k * 10}\t2.0\t5.0\t${Math.min(k, 7)}.0`);
    if (k < 10) lines.push(`${k * 10}\t3.0\t-2.0\t${k}.0`);
  }
  return lines.join('\n');
}
