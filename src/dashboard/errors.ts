/** An input of the dashboard that cannot be used (summary.json missing or stale, a capacity file, a flag): the message names it and says what to do. */
export class DashboardInputError extends Error {}
