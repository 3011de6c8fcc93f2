export type { KbMatch, KbMatcher, KbName } from './kb-matcher.js';
export { createKbMatcher, kbCategory } from './kb-matcher.js';
export type { RuleType } from './rules.js';
export { pickNonOverlapping, RULE_TYPES, ruleMentions } from './rules.js';
export type { SilverOptions, SilverReport } from './silver.js';
export { silverMentions, silverSentences, withRuleMentions } from './silver.js';
export type { SilverPlan, SilverType } from './type-map.js';
export { SILVER_TO_STOCKMARK, silverPlan } from './type-map.js';
