// The analysis rule families (MT2xx-MT4xx), run in this order.
import type { RuleFamily } from './rule';

export const RULE_FAMILIES: RuleFamily[] = [];
