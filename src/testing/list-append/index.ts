/**
 * A list-append history recorder and checker in the style of Jepsen's Elle: record transactions
 * of unique appends and whole-list reads, then judge the history for every anomaly Adya names.
 */
export type { Anomaly, AnomalyName, CycleAnomalyName, CycleStep, EdgeType, ElementAnomalyName } from './anomaly.js';
export { checkListAppend, formatReport, type CheckOptions, type ListAppendReport } from './check.js';
export { kvClients, unsafeKvClients, readMop, applyMop, type ListAppendClient } from './clients.js';
export { runCallers, outcomeOf, type CallersOptions } from './callers.js';
export { showAnomaly, showTxn } from './explain.js';
export { monotonicNow, type History, type Mop, type Outcome, type Txn } from './history.js';
export { HistoryRecorder, historyFromEvents, keysOf, type HistoryEvent } from './recorder.js';
export { runListAppend, finalLists, type RunOptions } from './run.js';
export { Planner, type TxnShape, type WorkloadOptions } from './workload.js';
