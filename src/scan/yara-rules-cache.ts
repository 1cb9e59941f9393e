import { compileYara, type YaraRules } from '../plugins/common/yara.ts';
import { YARA_LIMITS } from '../plugins/common/yara-options.ts';

/** Rule sets a scan worker keeps compiled (a scan's chunks all come with the same text). */
const KEPT_RULES = 4;

/**
 * A scan worker's compiled YARA rules by their text, the latest few: each worker (a CLI thread, a page's scan worker)
 * compiles a scan's rules once, not once per chunk; older sets are freed.
 */
export class YaraRulesCache {
  private readonly compiled = new Map<string, Promise<YaraRules>>();

  get(source: string): Promise<YaraRules> {
    let rules = this.compiled.get(source);
    if (!rules) {
      this.compiled.set(source, (rules = compileYara(source, YARA_LIMITS)));
      for (const [old, oldRules] of this.compiled) {
        if (this.compiled.size <= KEPT_RULES) break;
        this.compiled.delete(old);
        void oldRules.then(
          (r) => r.free(),
          () => undefined,
        );
      }
    }
    return rules;
  }
}
