import type { AlarmValue } from '../config/types.ts';

/** Every state a CloudWatch alarm can be in; any other value in a message makes it malformed. */
export const ALARM_VALUES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const satisfies readonly AlarmValue[];
