-- 0001 foundation (SQLite): zones, parks, departments, enterprises, users, sessions,
-- API tokens, login throttling and the hash-chained audit trail.
-- Keep in step with ../postgres/0001_foundation.sql; the schema test compares them.
-- Times are UTC text 'YYYY-MM-DDTHH:MM:SS.ffffffZ' (sorts as time); money is integer fen.

CREATE TABLE zones (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    province TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE parks (
    id INTEGER PRIMARY KEY,
    zone_id INTEGER NOT NULL REFERENCES zones (id),
    code TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    area_m2 INTEGER NOT NULL,
    focus TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (zone_id, code)
);

CREATE TABLE departments (
    id INTEGER PRIMARY KEY,
    zone_id INTEGER NOT NULL REFERENCES zones (id),
    code TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (zone_id, code)
);

CREATE TABLE enterprises (
    id INTEGER PRIMARY KEY,
    zone_id INTEGER NOT NULL REFERENCES zones (id),
    uscc TEXT NOT NULL,
    name TEXT NOT NULL,
    name_en TEXT,
    industry_code TEXT,
    chain_position TEXT,
    size TEXT,
    address TEXT,
    contact_name TEXT,
    contact_phone TEXT,
    contact_email TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL,
    UNIQUE (zone_id, uscc)
);
CREATE INDEX enterprises_zone_name ON enterprises (zone_id, name);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    zone_id INTEGER REFERENCES zones (id),
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    department_id INTEGER REFERENCES departments (id),
    enterprise_id INTEGER REFERENCES enterprises (id),
    password_hash TEXT NOT NULL,
    lang TEXT,
    created_at TEXT NOT NULL,
    disabled_at TEXT
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);

CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_start TEXT NOT NULL,
    locked_until TEXT
);

-- One chain per zone (zone 0: installation-wide events). Append-only by convention and
-- by verification: `luodi audit verify` recomputes every hash.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    zone_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before_json TEXT NOT NULL,
    after_json TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (zone_id, seq)
);
CREATE INDEX audit_log_entity ON audit_log (zone_id, entity, entity_id);

-- The last seq and hash written per zone; writers lock this row, which serialises each
-- chain, and verification compares it with the chain's end to catch truncation.
CREATE TABLE audit_heads (
    zone_id INTEGER PRIMARY KEY,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
