// Child process of processes.test.ts: one EventDesk worker (startBackground, as `npm run worker`
// runs it) on the test's database, DLQ and ledger queue, all from the environment the test sets.
// SIGTERM stops it cleanly (its registry row removed); the test SIGKILLs one to take its duties.
import { startBackground } from '@/lib/runtime/background';

startBackground('worker');
process.stdout.write(`worker started ${process.pid}\n`);
