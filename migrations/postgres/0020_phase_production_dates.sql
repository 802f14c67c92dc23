-- 0020 phase production dates (postgres): the dates the post-completion check (达产复核)
-- reads. A phase records the day it reached construction started and in production
-- (set by the move that reaches them, kept once set), and may carry its agreement's
-- production date (production_due_on); without one, production is due two years after
-- construction started (luodi-domain/src/cluster/completion.rs).
-- Keep in step with ../sqlite/0020_phase_production_dates.sql.

ALTER TABLE project_phases ADD COLUMN construction_started_on TEXT;
ALTER TABLE project_phases ADD COLUMN in_production_on TEXT;
ALTER TABLE project_phases ADD COLUMN production_due_on TEXT;
