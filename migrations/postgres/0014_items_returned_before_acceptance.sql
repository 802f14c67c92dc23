-- 0014 items returned before acceptance (postgres): a return (补正) before the department had
-- accepted an item used to be followed, on resubmission, by the state 'accepted' although
-- no acceptance was ever recorded, so the item had no clock. A resubmission now waits for
-- acceptance ('submitted'), and a return before acceptance is 'incomplete'. This repairs
-- rows written under the old rule: an item 'accepted' (or in a special procedure) whose
-- timeline holds no acceptance is waiting for one. (A data repair, not a user's change: the audit trail keeps the
-- steps as they were taken.)
-- Keep in step with ../sqlite/0014_items_returned_before_acceptance.sql.

UPDATE service_list_items SET state = 'submitted'
 WHERE state IN ('accepted', 'special') AND timeline_json NOT LIKE '%"kind":"accept"%';
-- Returned with no acceptance on record: a return before acceptance, now 'incomplete'
-- (its resubmission waits for acceptance instead of claiming one).
UPDATE service_list_items SET state = 'incomplete'
 WHERE state = 'returned' AND timeline_json NOT LIKE '%"kind":"accept"%';
