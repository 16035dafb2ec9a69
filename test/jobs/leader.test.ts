import { expect, it } from 'vitest';
import { createLeaderLock } from '../../src/jobs/leader.ts';
import { openStore } from '../../src/store/db.ts';
import { silentLogger } from '../support/builders.ts';
import { describeStores } from '../support/stores.ts';

/** Builds a job body that runs until `release` is called and resolves `running` when it starts. */
function blockingBody() {
  let release!: () => void;
  let started!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const running = new Promise<void>((resolve) => {
    started = resolve;
  });
  const body = async () => {
    started();
    await gate;
    return 'first';
  };
  return { body, running, release };
}

describeStores('leader lock', (current, backend) => {
  it('skips a run of a job this process is running', async () => {
    const leader = createLeaderLock({ store: current().store, logger: silentLogger });
    const first = blockingBody();
    let secondRan = false;

    const firstRun = leader.run('test-job', first.body);
    await first.running;
    const secondRun = await leader.run('test-job', async () => {
      secondRan = true;
      return 'second';
    });
    const otherJob = await leader.run('other-job', async () => 'other');
    first.release();

    expect(secondRun).toEqual({ ran: false });
    expect(secondRan).toBe(false);
    expect(otherJob).toEqual({ ran: true, value: 'other' });
    expect(await firstRun).toEqual({ ran: true, value: 'first' });
    expect(await leader.run('test-job', async () => 'again')).toEqual({
      ran: true,
      value: 'again',
    });
  });

  it('releases the lock when the body throws', async () => {
    const leader = createLeaderLock({ store: current().store, logger: silentLogger });

    await expect(
      leader.run('failing-job', async () => {
        throw new Error('job body failed');
      }),
    ).rejects.toThrow('job body failed');

    expect(await leader.run('failing-job', async () => 'after')).toEqual({
      ran: true,
      value: 'after',
    });
  });

  it.runIf(backend === 'postgres')('lets one of two replicas run', async () => {
    const replicas = await Promise.all([
      openStore({ databaseUrl: current().databaseUrl! }),
      openStore({ databaseUrl: current().databaseUrl! }),
    ]);
    try {
      const [leaderA, leaderB] = replicas.map((store) =>
        createLeaderLock({ store, logger: silentLogger }),
      );
      const first = blockingBody();
      let secondRan = false;

      const firstRun = leaderA!.run('test-job', first.body);
      await first.running;
      const secondRun = await leaderB!.run('test-job', async () => {
        secondRan = true;
        return 'second';
      });
      first.release();

      expect(secondRun).toEqual({ ran: false });
      expect(secondRan).toBe(false);
      expect(await firstRun).toEqual({ ran: true, value: 'first' });
      // The lock ended with the first run's transaction.
      expect(await leaderB!.run('test-job', async () => 'second')).toEqual({
        ran: true,
        value: 'second',
      });
    } finally {
      await Promise.all(replicas.map((store) => store.close()));
    }
  });
});
