-- 0016 token expiry (postgres): API tokens end. Each gets the moment it expires (chosen when it
-- is made: 1 to 365 days, 90 by default) and the moment its owner's inbox was warned that it
-- soon will. A token made before this migration expires 90 days after it (as if made now,
-- so no integration stops at the upgrade without a warning). Tokens are also revoked when
-- an operator resets their owner's password.
-- Keep in step with ../sqlite/0016_token_expiry.sql.

ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN expiry_warned_at TEXT;
UPDATE api_tokens SET expires_at = to_char((now() AT TIME ZONE 'UTC') + interval '90 days', 'YYYY-MM-DD"T"HH24:MI:SS') || '.000000Z'
 WHERE expires_at IS NULL;
