-- 0016 token expiry (sqlite): API tokens end. Each gets the moment it expires (chosen when it
-- is made: 1 to 365 days, 90 by default) and the moment its owner's inbox was warned that it
-- soon will. A token made before this migration has none and expires 90 days after it was
-- made. Tokens are also revoked when an operator resets their owner's password.
-- Keep in step with ../postgres/0016_token_expiry.sql.

ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN expiry_warned_at TEXT;
