// The five fields of a disruption budget's schedule, read as Karpenter reads
// them (robfig/cron's standard parser). Karpenter cannot tell a schedule it
// cannot parse from a budget that allows nothing, so it lets no node of the
// pool go at all: a typo must be refused here, not found weeks later.

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names standing for min, min + 1, ... (case-insensitive). */
  readonly names?: readonly string[];
  readonly allowed: string;
}

const CRON_FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59, allowed: '0-59' },
  { name: 'hour', min: 0, max: 23, allowed: '0-23' },
  { name: 'day of the month', min: 1, max: 31, allowed: '1-31' },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'], allowed: '1-12 or jan-dec' },
  // The parser stops at 6: 7 is no second Sunday there.
  { name: 'day of the week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'], allowed: '0-6 or sun-sat' },
];

/** One item of a field's list: *, ? (the same), a value or a range a-b, with an optional /step. */
const CRON_ITEM = /^(?:(?<every>[*?])|(?<start>[a-z0-9]+)(?:-(?<end>[a-z0-9]+))?)(?:\/(?<step>[0-9]+))?$/i;

/**
 * What is wrong with a five-field schedule, naming the field and the bad part,
 * or undefined when Karpenter can read it. Macros (@daily...) and the number
 * of fields are the schema's to check.
 */
export function cronScheduleProblem(schedule: string): string | undefined {
  const fields = schedule.trim().split(/\s+/);
  if (schedule.startsWith('@') || fields.length !== CRON_FIELDS.length) return undefined;
  for (const [index, field] of CRON_FIELDS.entries()) {
    const text = fields[index]!;
    for (const item of text.split(',')) {
      const wrong = itemProblem(item, field);
      if (wrong !== undefined) {
        return `the ${field.name} "${text}" ${wrong}; Karpenter cannot read such a schedule and then lets no node of the pool be disrupted; write the ${field.name} as ${field.allowed} (or *), in lists a,b, ranges a-b and steps /n, such as "0 9 * * mon-fri" (UTC)`;
      }
    }
  }
  return undefined;
}

function itemProblem(item: string, field: CronField): string | undefined {
  const parts = CRON_ITEM.exec(item)?.groups;
  if (parts === undefined) return item === '' ? 'has an empty item' : `has "${item}", which is no value, range a-b or step /n`;
  if (parts.step !== undefined && Number(parts.step) === 0) return `has the step "/${parts.step}": a step must be 1 or more`;
  if (parts.every !== undefined) return undefined;
  const start = valueOf(parts.start!, field);
  if (start === undefined) return `has "${parts.start}", which is none of ${field.allowed}`;
  if (parts.end === undefined) return undefined;
  const end = valueOf(parts.end, field);
  if (end === undefined) return `has "${parts.end}", which is none of ${field.allowed}`;
  return start > end ? `has the range "${parts.start}-${parts.end}", which ends before it starts` : undefined;
}

/** A number in the field's range, or one of its names; undefined for anything else. */
function valueOf(text: string, field: CronField): number | undefined {
  const named = field.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named !== -1) return field.min + named;
  if (!/^[0-9]+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= field.min && value <= field.max ? value : undefined;
}
