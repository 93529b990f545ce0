/**
 * Test helper: a TopologyTestDriver whose stores live in a fresh temporary directory, removed on close.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PhysicalTopology } from '../../core/topology/physical-topology.ts';
import { TopologyTestDriver, type TopologyTestDriverConfig } from '../../core/runtime/topology-test-driver.ts';

const open: { driver: TopologyTestDriver; dir: string }[] = [];

/** A driver with its own state directory; `closeDrivers()` (afterEach) closes it and deletes the directory. */
export function testDriver(topology: PhysicalTopology, config: TopologyTestDriverConfig = {}): TopologyTestDriver {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-dsl-'));
  const driver = new TopologyTestDriver(topology, { stateDir: dir, ...config });
  open.push({ driver, dir });
  return driver;
}

/** Closes every driver made by {@link testDriver} and removes their directories. */
export function closeDrivers(): void {
  for (const { driver, dir } of open.splice(0)) {
    driver.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
