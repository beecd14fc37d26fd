// The analysis rule families (MT2xx-MT4xx), run in this order.
import type { RuleFamily } from './rule';
import { relayFamily } from './relay';
import { mxFamily } from './mx';
import { flowFamily } from './flow';
import { failoverFamily } from './failover';
import { poolsFamily } from './pools';
import { policiesFamily } from './policies';
import { admissionFamily } from './admission';
import { exposureFamily } from './exposure';

export const RULE_FAMILIES: RuleFamily[] = [
  relayFamily,
  mxFamily,
  flowFamily,
  failoverFamily,
  poolsFamily,
  policiesFamily,
  admissionFamily,
  exposureFamily,
];
