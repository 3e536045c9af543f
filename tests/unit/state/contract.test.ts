import { openTriggerState } from '../../../src/state/open-state';
import { MemoryState } from '../../helpers/fakes';
import { NAMESPACE, tempDataPath } from './helpers';
import { describeTriggerStateContract, StateImplementation } from './trigger-state-contract';

const memory: StateImplementation = {
  name: 'memory (the fake the cycle tests use)',
  open: async (clock) => ({ state: new MemoryState(clock) }),
};

let sqlitePaths: ReturnType<typeof tempDataPath> | undefined;
const sqlite: StateImplementation = {
  name: 'SQLite',
  open: async (clock) => {
    sqlitePaths = tempDataPath();
    const options = { dataPath: sqlitePaths.dataPath, namespace: NAMESPACE, clock };
    return { state: await openTriggerState(options), reopen: () => openTriggerState(options) };
  },
  cleanup: () => sqlitePaths?.cleanup(),
};

/** Every TriggerState implementation: a new one is one more entry here. */
const IMPLEMENTATIONS: StateImplementation[] = [memory, sqlite];

for (const implementation of IMPLEMENTATIONS) describeTriggerStateContract(implementation);
