/**
 * The process module of the core: checklists, incidents (war-room) and shift handover. See
 * src/shared/contract/process.ts for its slice of the contract.
 */
import { processMethods } from '@shared/contract/process';
import type { LinkState } from '@shared/domain';
import { eventData } from '@shared/protocol';
import { ChecklistTemplateSchema } from '@shared/checklists';
import type { ActionSink, CoreContext, EventApplier } from '../context';
import type { CoreModule } from '../module';
import { createAutoChecks } from './autochecks';
import { createChecklistEngine } from './checklists';
import { createHandoverService } from './handover';
import { createIncidentService } from './incidents';
import { createTemplateRepo } from './templates';
import { createTestCalls } from './test-call';
import { processText } from './texts';

export interface ProcessOptions {
  /**
   * The platform link's state, for the "link online" and "token valid" checks (the core passes the link
   * module's). Without it those checks answer "unknown".
   */
  linkState?: () => LinkState | null;
  /**
   * whether a name is someone incident roles can go to (a person the platform knows, or in a roster); the
   * core passes its people directory. Without it any name is taken.
   */
  knownPerson?: (name: string) => boolean;
}

export type ProcessModule = CoreModule<typeof processMethods> & {
  /** for tests and benchmarks */
  services: {
    checklists: ReturnType<typeof createChecklistEngine>;
    incidents: ReturnType<typeof createIncidentService>;
    handover: ReturnType<typeof createHandoverService>;
  };
};

export function createProcessModule(ctx: CoreContext, actions: ActionSink, opts: ProcessOptions = {}): ProcessModule {
  const templates = createTemplateRepo(ctx.db);
  const testCalls = createTestCalls(ctx, actions, opts.linkState);
  const autoChecks = createAutoChecks({
    db: ctx.db,
    now: () => ctx.clock.now(),
    linkState: opts.linkState,
    notifier: ctx.notifier,
    hasToken: async () => !!(await ctx.secrets.get('platformToken')),
    get testNotification() {
      const t = processText.in(ctx.language()).checklists;
      return { title: t.testTitle(), body: t.testBody() };
    },
    testCall: () => testCalls.run(),
  });
  const checklists = createChecklistEngine({ ctx, actions, templates, autoChecks });
  const incidents = createIncidentService({ ctx, actions, checklists, knownPerson: opts.knownPerson });
  const handover = createHandoverService({ ctx, actions });
  const me = () => ctx.operator();

  const appliers: EventApplier[] = [
    {
      kind: 'incident.update',
      apply(data) {
        const d = eventData['incident.update'].parse(data);
        const id = incidents.applyRemote(d.incident);
        if (id !== d.id) throw new Error(`incident.update: event id ${d.id} does not match incident ${id}`);
        return 'incidents';
      },
    },
    {
      // where a status update went (the incident's timeline), or a test call's answer (the self-check)
      kind: 'comms.update',
      apply(data) {
        const c = eventData['comms.update'].parse(data);
        if (c.kind === 'test') {
          testCalls.seen(c);
          return null;
        }
        return incidents.recordComms(c) ? 'incidents' : null;
      },
    },
    {
      kind: 'checklist.result',
      apply(data) {
        checklists.applyRemote(eventData['checklist.result'].parse(data).result);
        return 'checklists';
      },
    },
    {
      kind: 'handover.update',
      apply(data) {
        handover.applyRemote(eventData['handover.update'].parse(data).handover);
        return 'handovers';
      },
    },
    {
      kind: 'checklist.template',
      apply(data) {
        const d = eventData['checklist.template'].parse(data);
        const t = ChecklistTemplateSchema.parse(d.template);
        if (t.id !== d.id || t.version !== d.version)
          throw new Error(`checklist.template: event says ${d.id} v${d.version}, template is ${t.id} v${t.version}`);
        templates.put(t, 'platform');
        return 'checklists';
      },
    },
  ];

  return {
    services: { checklists, incidents, handover },
    appliers,
    start() {
      // Due steps and incident targets are recomputed from stored times: whatever fell due while Vigil
      // was closed is notified now.
      checklists.scheduler.start();
      incidents.scheduler.start();
    },
    // the bundled templates are parsed (when they changed since the last start) after the first screen
    warmup: () => [
      {
        task: 'templates',
        run: () => templates.seedBundledSlices((name, err) => ctx.log.log('error', 'checklist.template_invalid', { name, err: err.message })),
      },
    ],
    stop() {
      checklists.scheduler.stop();
      incidents.scheduler.stop();
    },
    handlers: {
      checklistTemplates: () => templates.summaries(ctx.clock.now(), ctx.settings().timeZone),
      checklistRuns: (q) => checklists.list(q),
      checklistRun: (id) => checklists.get(id),
      checklistStart: (input) => checklists.start(input, me()),
      checklistStep: (u) => checklists.setStep(u, me()),
      checklistRecheck: (id) => checklists.recheck(id),
      checklistFinish: (id) => checklists.finish(id, me()),

      incidentsList: ({ open }) => incidents.list(open ?? false),
      incidentGet: (id) => incidents.get(id),
      incidentDeclare: (input) => incidents.declare(input, me()),
      incidentUpdate: (id, patch) => incidents.update(id, patch, me()),
      incidentTimelineAdd: (id, input) => incidents.addTimeline(id, input, me()),
      incidentStatusUpdate: (id, { phase, text }) => incidents.statusUpdate(id, phase, text, me()),
      incidentClose: (id, review, lng) => incidents.close(id, review, lng, me()),
      incidentReopen: (id, reason) => incidents.reopen(id, reason, me()),
      incidentPostmortem: (id, lng) => incidents.postmortem(id, lng),
      freezeState: () => incidents.freezeState(),
      targetsGet: () => incidents.targets.read(),
      targetsSet: (t) => {
        const out = incidents.targets.write(t, me());
        ctx.emit('dataChanged', { collection: 'incidents' });
        return out;
      },

      handoverDraft: ({ shiftStart }) => handover.draft(shiftStart),
      handoverSubmit: (input) => handover.submit(input, me()),
      handoverSign: ({ id, note }) => handover.sign(id, note, me()),
      handoversList: ({ text, limit }) => handover.list(text, limit),
    },
  };
}

