import type { AppFrame } from './app-frame.ts';

/** axe-core (the accessibility engine browsers' audits use) on the built app: every rule it checks by default (WCAG 2.x A/AA). */
interface AxeResult {
  readonly violations: readonly { id: string; impact: string; help: string; nodes: readonly { target: unknown[]; failureSummary: string }[] }[];
}
type AxeWindow = Window & { axe?: { run(context: Document): Promise<AxeResult> } };

/** axe-core's script loaded into the app's frame (served from node_modules; nothing of it is in the app). */
async function axeIn(app: AppFrame): Promise<NonNullable<AxeWindow['axe']>> {
  const view = app.element.contentWindow as AxeWindow;
  if (!view.axe) {
    const script = app.document.createElement('script');
    script.src = '/node_modules/axe-core/axe.min.js';
    const loaded = new Promise((resolve, reject) => {
      script.onload = resolve;
      script.onerror = reject;
    });
    app.document.head.append(script);
    await loaded;
  }
  return view.axe!;
}

/** The violations on the app's page as it is now, one line per rule and element. */
export async function violations(app: AppFrame): Promise<string[]> {
  const result = await (await axeIn(app)).run(app.document);
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${v.help} — ${JSON.stringify(n.target)}: ${n.failureSummary}`));
}
