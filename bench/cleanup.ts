// Last-resort cleanup for a runner that dies (Ctrl-C, a closed stdout pipe, an uncaught exception): child
// servers are stopped and temporary directories removed instead of being left behind.
const tasks = new Set<() => void>();
let hooked = false;

function runAll(): void {
  for (const t of [...tasks]) {
    tasks.delete(t);
    try {
      t();
    } catch {
      // Best effort: the process is going away.
    }
  }
}

/** Registers a synchronous cleanup; returns a function that unregisters it once done normally. */
export function onAbnormalExit(task: () => void): () => void {
  if (!hooked) {
    hooked = true;
    process.once('exit', runAll);
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(sig, () => {
        runAll();
        process.kill(process.pid, sig);
      });
    }
  }
  tasks.add(task);
  return () => {
    tasks.delete(task);
  };
}
