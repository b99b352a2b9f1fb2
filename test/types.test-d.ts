import { describe, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import {
  GoalSchema,
  GoalStatusSchema,
  GoalStore,
  SessionLinkSchema,
  SessionTaskStateSchema,
  type Goal,
  type GoalStatus,
  type LinkInput,
  type SessionLink,
  type SessionTaskState,
  type SessionUpdate,
} from "../src/index.js";
import type { InputSchemas } from "../src/store/input.js";
import { WireGoalSchema, type WireGoal } from "../src/wire/index.js";

// The public types are what the zod schemas accept and produce: the schemas are
// the single source, and these pins fail the type check when the two drift.
describe("public types follow the zod schemas", () => {
  it("model types are the schemas' output types", () => {
    expectTypeOf<Goal>().toEqualTypeOf<z.output<typeof GoalSchema>>();
    expectTypeOf<SessionLink>().toEqualTypeOf<z.output<typeof SessionLinkSchema>>();
    expectTypeOf<GoalStatus>().toEqualTypeOf<z.output<typeof GoalStatusSchema>>();
    expectTypeOf<SessionTaskState>().toEqualTypeOf<z.output<typeof SessionTaskStateSchema>>();
    expectTypeOf<WireGoal>().toEqualTypeOf<z.output<typeof WireGoalSchema>>();
  });

  it("mutator inputs accept exactly what the input schemas accept", () => {
    type LinkSchemaInput = z.input<InputSchemas["link"]>["link"];
    type UpdateSchemaInput = z.input<InputSchemas["update"]>["update"];
    expectTypeOf<LinkInput>().toExtend<LinkSchemaInput>();
    expectTypeOf<Required<LinkSchemaInput>>().toExtend<Required<LinkInput>>();
    expectTypeOf<SessionUpdate>().toExtend<UpdateSchemaInput>();
    expectTypeOf<Required<UpdateSchemaInput>>().toExtend<Required<SessionUpdate>>();
    expectTypeOf<Parameters<GoalStore["setStatus"]>[1]>().toEqualTypeOf<z.input<InputSchemas["setStatus"]>["status"]>();
  });

  it("mutators resolve to a Goal and reads return copies typed as Goal", () => {
    expectTypeOf<ReturnType<GoalStore["create"]>>().toEqualTypeOf<Promise<Goal>>();
    expectTypeOf<ReturnType<GoalStore["link"]>>().toEqualTypeOf<Promise<Goal>>();
    expectTypeOf<ReturnType<GoalStore["update"]>>().toEqualTypeOf<Promise<Goal>>();
    expectTypeOf<ReturnType<GoalStore["get"]>>().toEqualTypeOf<Goal | undefined>();
    expectTypeOf<ReturnType<GoalStore["all"]>>().toEqualTypeOf<Goal[]>();
  });

  it("a status outside the union does not type-check", () => {
    // @ts-expect-error "closed" is not a GoalStatus
    expectTypeOf<"closed">().toExtend<GoalStatus>();
  });
});
