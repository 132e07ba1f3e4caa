/**
 * The admin API's fault rules, under `/_wxl/api/faults` (admin key as every
 * admin call): GET lists the rules with their counts, POST adds one (the rule
 * as JSON, answered with its id), DELETE clears all, `/:id` reads or removes one.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { FaultRegistry } from '../faults/fault-registry.ts';
import { FaultRuleError } from '../faults/fault-rule.ts';
import { ApiError } from './json-api.ts';

const ruleId = (params: unknown): number => {
  const id = Number((params as { id: string }).id);
  if (!Number.isInteger(id) || id < 1) throw new ApiError(400, 'id must be a rule id (a positive integer)');
  return id;
};

export function faultRoutes(faults: FaultRegistry): FastifyPluginAsync {
  return async (app) => {
    app.get('/', async () => ({ faults: faults.list() }));
    app.post('/', async (req, reply) => {
      try {
        return await reply.code(201).send(faults.add(req.body as Record<string, unknown>));
      } catch (error) {
        if (error instanceof FaultRuleError) throw new ApiError(400, `invalid fault rule: ${error.message}`);
        throw error;
      }
    });
    app.delete('/', async () => {
      const cleared = faults.size;
      faults.clear();
      return { cleared };
    });
    app.get('/:id', async (req) => {
      const id = ruleId(req.params);
      const rule = faults.get(id);
      if (!rule) throw new ApiError(404, `no fault rule ${id}`);
      return rule;
    });
    app.delete('/:id', async (req) => {
      const id = ruleId(req.params);
      if (!faults.remove(id)) throw new ApiError(404, `no fault rule ${id}`);
      return { removed: id };
    });
  };
}
