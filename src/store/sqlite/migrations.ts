/**
 * Versioned schema migrations of the embedded store. Each entry moves the schema one version up
 * (tracked with PRAGMA user_version). Never edit a released migration: append a new one.
 */
export const migrations: string[] = [
  // 1: people and role decisions
  `
  CREATE TABLE people (
    id TEXT PRIMARY KEY,
    platform TEXT NOT NULL CHECK (platform IN ('slack','teams')),
    tenant TEXT NOT NULL,
    user TEXT NOT NULL,
    display_name TEXT NOT NULL,
    email TEXT,
    locale TEXT,
    teams_ref TEXT,
    teams_user_id TEXT,
    first_seen_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
  );
  CREATE INDEX people_email ON people (email);
  CREATE INDEX people_teams_user ON people (teams_user_id);
  CREATE TABLE role_assignments (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    subject TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('pilote','organisateur')),
    axis_id TEXT,
    active INTEGER NOT NULL,
    by TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX role_assignments_subject ON role_assignments (subject);
  `,
  // 2: ideas, their hashtags, supports (one per person per idea), drafts
  `
  CREATE TABLE ideas (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    axis_id TEXT NOT NULL,
    hashtags TEXT NOT NULL,
    anonymous INTEGER NOT NULL,
    author_id TEXT NOT NULL,
    status TEXT NOT NULL,
    answer TEXT,
    answered_by TEXT,
    answered_at INTEGER,
    hidden_reason TEXT,
    hidden_by TEXT,
    hidden_at INTEGER,
    merged_into INTEGER,
    support_count INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX ideas_top ON ideas (support_count DESC, id DESC) WHERE hidden_reason IS NULL AND merged_into IS NULL;
  CREATE INDEX ideas_axis_top ON ideas (axis_id, support_count DESC, id DESC);
  CREATE INDEX ideas_author ON ideas (author_id, id DESC);
  CREATE TABLE idea_hashtags (
    hashtag TEXT NOT NULL,
    idea_id INTEGER NOT NULL REFERENCES ideas (id),
    PRIMARY KEY (hashtag, idea_id)
  ) WITHOUT ROWID;
  CREATE TABLE supports (
    idea_id INTEGER NOT NULL REFERENCES ideas (id),
    person_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (idea_id, person_id)
  ) WITHOUT ROWID;
  CREATE INDEX supports_person ON supports (person_id, idea_id);
  CREATE TABLE drafts (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  `,
  // 3: the durable outbox (one row per recipient, payloads stored once) and broadcasts
  `
  CREATE TABLE outbox_payloads (
    hash TEXT PRIMARY KEY,
    payload TEXT NOT NULL
  );
  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    platform TEXT NOT NULL,
    target TEXT NOT NULL,
    payload_hash TEXT NOT NULL REFERENCES outbox_payloads (hash),
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    due_at INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER,
    last_error TEXT,
    permanent INTEGER NOT NULL DEFAULT 0,
    sent_at INTEGER,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX outbox_pending_due ON outbox (due_at, id) WHERE state = 'pending';
  CREATE INDEX outbox_source_state ON outbox (source, state);
  CREATE TABLE broadcasts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    message TEXT NOT NULL,
    link TEXT,
    audience TEXT NOT NULL,
    schedule TEXT NOT NULL,
    state TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    next_run_at INTEGER,
    runs INTEGER NOT NULL DEFAULT 0,
    last_run_at INTEGER,
    lease_owner TEXT,
    lease_until INTEGER
  );
  CREATE INDEX broadcasts_due ON broadcasts (next_run_at) WHERE state = 'scheduled';
  `,
  // 4: events, their registrations (places and waiting list) and feedback; scheduled jobs
  `
  CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    place TEXT,
    link TEXT,
    capacity INTEGER,
    axis_id TEXT,
    audience TEXT NOT NULL,
    state TEXT NOT NULL,
    cancel_reason TEXT,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
  );
  CREATE INDEX events_upcoming ON events (starts_at, id) WHERE state = 'scheduled';
  CREATE INDEX events_start ON events (starts_at DESC, id DESC);
  CREATE TABLE registrations (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id INTEGER NOT NULL REFERENCES events (id),
    person_id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('registered','waiting')),
    at INTEGER NOT NULL,
    UNIQUE (event_id, person_id)
  );
  CREATE INDEX registrations_event_state ON registrations (event_id, state, seq);
  CREATE INDEX registrations_person ON registrations (person_id, event_id);
  CREATE TABLE event_feedback (
    event_id INTEGER NOT NULL REFERENCES events (id),
    person_id TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment TEXT,
    at INTEGER NOT NULL,
    PRIMARY KEY (event_id, person_id)
  ) WITHOUT ROWID;
  CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    param INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    state TEXT NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER,
    done_at INTEGER
  );
  CREATE INDEX jobs_pending_due ON jobs (due_at, id) WHERE state = 'pending';
  CREATE INDEX jobs_ref ON jobs (ref);
  `,
  // 5: requests already handled (Slack replays and retries); the store's own facts (installation id, health probe)
  `
  CREATE TABLE requests (
    key TEXT PRIMARY KEY,
    at INTEGER NOT NULL,
    done INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
  CREATE INDEX requests_at ON requests (at);
  CREATE TABLE store_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 6: outbox lanes: the answers to people's requests are sent apart from the bulk (broadcasts, reminders)
  `
  ALTER TABLE outbox ADD COLUMN lane TEXT NOT NULL DEFAULT 'bulk';
  DROP INDEX outbox_pending_due;
  CREATE INDEX outbox_pending_lane_due ON outbox (lane, due_at, id) WHERE state = 'pending';
  `,
  // 7: the channels and group chats where the bot can post (Teams: their Bot Connector address)
  `
  CREATE TABLE conversations (
    platform TEXT NOT NULL,
    id TEXT NOT NULL,
    service_url TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    team_id TEXT,
    name TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (platform, id)
  ) WITHOUT ROWID;
  `,
  // 8: a job about one person (a place given to someone waiting)
  `
  ALTER TABLE jobs ADD COLUMN subject TEXT;
  `,
  // 9: the running instances' beats (they share the platforms' ceilings)
  `
  CREATE TABLE instances (
    owner TEXT PRIMARY KEY,
    seen_at INTEGER NOT NULL,
    busy INTEGER NOT NULL,
    starts_at INTEGER
  ) WITHOUT ROWID;
  `,
  // 10: following axes, pilots' updates (points d'étape), their 👏, questions and channel posts
  `
  CREATE TABLE axis_follows (
    person_id TEXT NOT NULL,
    axis_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    UNIQUE (person_id, axis_id)
  );
  CREATE INDEX axis_follows_axis ON axis_follows (axis_id);
  CREATE TABLE axis_updates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    axis_id TEXT NOT NULL,
    author_id TEXT NOT NULL,
    status TEXT NOT NULL,
    progress INTEGER,
    done TEXT NOT NULL,
    next TEXT NOT NULL,
    help TEXT,
    link TEXT,
    created_at INTEGER NOT NULL,
    edited_at INTEGER,
    reached_followers INTEGER NOT NULL
  );
  CREATE INDEX axis_updates_axis ON axis_updates (axis_id, created_at);
  CREATE INDEX axis_updates_created ON axis_updates (created_at);
  CREATE TABLE axis_update_reactions (
    update_id INTEGER NOT NULL,
    person_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (update_id, person_id)
  ) WITHOUT ROWID;
  CREATE TABLE axis_update_questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    update_id INTEGER NOT NULL,
    asker_id TEXT NOT NULL,
    text TEXT NOT NULL,
    asked_at INTEGER NOT NULL,
    answer TEXT,
    answered_by TEXT,
    answered_at INTEGER
  );
  CREATE INDEX axis_update_questions_update ON axis_update_questions (update_id);
  CREATE TABLE axis_update_posts (
    update_id INTEGER NOT NULL,
    platform TEXT NOT NULL,
    channel TEXT NOT NULL,
    message_id TEXT NOT NULL,
    PRIMARY KEY (update_id, platform, channel)
  ) WITHOUT ROWID;
  `,
  // 11: each person's preferences (what they receive, and when), and the language they chose over the platform's
  `
  CREATE TABLE preferences (
    person_id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  ALTER TABLE people ADD COLUMN chosen_locale TEXT;
  `,
  // 12: broadcasts read and clicked: « J'ai lu » (counted or named), the « important » flag, and who did what once
  `
  ALTER TABLE broadcasts ADD COLUMN ack TEXT;
  ALTER TABLE broadcasts ADD COLUMN important INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE broadcast_reads (
    broadcast_id INTEGER NOT NULL,
    what TEXT NOT NULL,
    person_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (broadcast_id, what, person_id)
  ) WITHOUT ROWID;
  `,
  // 13: consultations, their register (who was asked / answered) and their answers,
  // kept apart: answers and responses hold an opaque response id and a day, never a person id; WITHOUT ROWID
  // tables keyed by the random response id keep no order of arrival either
  `
  CREATE TABLE consultations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    state TEXT NOT NULL,
    anonymous INTEGER NOT NULL,
    opens_at INTEGER NOT NULL,
    closes_at INTEGER NOT NULL,
    reached INTEGER NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    data TEXT NOT NULL
  );
  CREATE TABLE consultation_register (
    consultation_id INTEGER NOT NULL,
    person_id TEXT NOT NULL,
    state TEXT NOT NULL,
    response_id TEXT,
    page INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (consultation_id, person_id)
  ) WITHOUT ROWID;
  CREATE INDEX consultation_register_person ON consultation_register (person_id);
  CREATE TABLE consultation_responses (
    consultation_id INTEGER NOT NULL,
    response_id TEXT NOT NULL,
    day TEXT NOT NULL,
    groups TEXT NOT NULL,
    PRIMARY KEY (consultation_id, response_id)
  ) WITHOUT ROWID;
  CREATE TABLE consultation_answers (
    consultation_id INTEGER NOT NULL,
    response_id TEXT NOT NULL,
    question TEXT NOT NULL,
    value TEXT NOT NULL,
    day TEXT NOT NULL,
    PRIMARY KEY (consultation_id, response_id, question)
  ) WITHOUT ROWID;
  `,
  // 14: ambassadors' and équipiers' engagements, their history, and the slot that allows one open engagement per person
  `
  CREATE TABLE engagements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id TEXT NOT NULL,
    manager_id TEXT,
    state TEXT NOT NULL,
    renewal_of INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX engagements_person ON engagements (person_id, id);
  CREATE INDEX engagements_manager ON engagements (manager_id, id);
  CREATE INDEX engagements_state ON engagements (state, id);
  CREATE TABLE engagement_slots (
    slot TEXT PRIMARY KEY,
    engagement_id INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE engagement_steps (
    engagement_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    state TEXT NOT NULL,
    by TEXT NOT NULL,
    at INTEGER NOT NULL,
    reason TEXT,
    PRIMARY KEY (engagement_id, seq)
  ) WITHOUT ROWID;
  `,
  // 15: communities (the programme's and those added in chat), their members, a progress group's stages,
  // training offers; an event's community and trainer (« Académie »); an idea credited to a progress group
  `
  CREATE TABLE communities (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    stage TEXT,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    data TEXT NOT NULL
  );
  CREATE TABLE community_members (
    community_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (community_id, person_id)
  ) WITHOUT ROWID;
  CREATE INDEX community_members_person ON community_members (person_id);
  CREATE TABLE community_stages (
    community_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    stage TEXT NOT NULL,
    by TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (community_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE training_offers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX training_offers_person ON training_offers (person_id);
  ALTER TABLE events ADD COLUMN community_id TEXT;
  ALTER TABLE events ADD COLUMN trainer TEXT;
  ALTER TABLE ideas ADD COLUMN credited_to TEXT;
  `,
  // 16: the audit trail of privileged actions (append-only), and people who left the platform (unreachable)
  `
  CREATE TABLE audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT
  );
  CREATE INDEX audit_at ON audit (at);
  CREATE INDEX audit_actor ON audit (actor);
  CREATE INDEX audit_subject ON audit (subject);
  ALTER TABLE people ADD COLUMN unreachable_reason TEXT;
  ALTER TABLE people ADD COLUMN unreachable_at INTEGER;
  `,
  // 17: privacy: people by when they were last seen (inactivity), delivered messages' payloads (retention)
  `
  CREATE INDEX people_last_seen ON people (last_seen_at);
  CREATE INDEX outbox_payload ON outbox (payload_hash);
  `,
];
