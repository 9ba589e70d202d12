-- crossrole's store, version 2: S3 object and part bytes, for nodes that share no blob folder.

-- One row per blob, named by the id of the object or part it holds. Its bytes are the chunks of
-- its content number: a replaced blob gets a new content, so a reader inside a snapshot keeps
-- reading the old chunks until its transaction ends.
CREATE SEQUENCE crossrole.s3_blob_contents;

CREATE TABLE crossrole.s3_blobs (
    id         text        PRIMARY KEY,
    content    bigint      NOT NULL UNIQUE,
    size       bigint      NOT NULL CHECK (size >= 0),
    written_at timestamptz NOT NULL DEFAULT now()
);

-- The orphan sweep looks for old blobs only.
CREATE INDEX s3_blobs_by_written_at ON crossrole.s3_blobs (written_at);

-- Fixed-size chunks (the last one shorter): chunk n holds bytes [n * chunk size, (n + 1) * chunk size).
CREATE TABLE crossrole.s3_blob_chunks (
    content bigint  NOT NULL,
    chunk   integer NOT NULL CHECK (chunk >= 0),
    data    bytea   NOT NULL,
    PRIMARY KEY (content, chunk)
);

-- Stored out of line and uncompressed: object bytes rarely compress, and substring() of an
-- uncompressed value reads only the slices a Range asks for.
ALTER TABLE crossrole.s3_blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
