-- crossrole's store, version 1: versioned records and the revision of the latest commit.

-- Every key ever written. A deleted record keeps its row with a NULL value (a tombstone) and its
-- version, so that a later write continues the version count and other nodes learn of the deletion.
CREATE TABLE crossrole.records (
    namespace text   NOT NULL,
    key       text   NOT NULL,
    value     bytea,
    version   bigint NOT NULL CHECK (version > 0),
    revision  bigint NOT NULL CHECK (revision > 0),
    PRIMARY KEY (namespace, key)
);

-- changesSince: what was written after the revision a node's caches are at.
CREATE INDEX records_by_revision ON crossrole.records (revision);

-- The one row holding the revision of the latest commit. Every write locks this row first
-- (SELECT ... FOR UPDATE), which makes writes from all nodes run one at a time.
CREATE TABLE crossrole.head (
    id       boolean PRIMARY KEY DEFAULT true CHECK (id),
    revision bigint  NOT NULL CHECK (revision >= 0)
);

INSERT INTO crossrole.head (id, revision) VALUES (true, 0);
