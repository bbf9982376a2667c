-- openpgp-ca-schema.sql - an empty openpgp-ca 0.13/0.14 database
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- The schema as openpgp-ca's four diesel migrations leave it
-- (../shared/spec/openpgp-ca.md, section 2), written from that
-- description, for the tests of `oca ca import-openpgp-ca'
-- (t-import-openpgp-ca*.sh, src/ca/t-ca-import-ocadb.c).  Diesel keeps
-- the applied migrations in __diesel_schema_migrations.

CREATE TABLE __diesel_schema_migrations (
  version VARCHAR(50) PRIMARY KEY NOT NULL,
  run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- 2020-08-17-130000_database: the base schema.
CREATE TABLE cas (
  id INTEGER NOT NULL PRIMARY KEY,
  domainname VARCHAR NOT NULL,
  CONSTRAINT cas_domainname_unique UNIQUE (domainname)
);
CREATE TABLE cacerts (
  id INTEGER NOT NULL PRIMARY KEY,
  fingerprint VARCHAR NOT NULL,
  priv_cert VARCHAR NOT NULL,
  ca_id INTEGER NOT NULL,
  FOREIGN KEY (ca_id) REFERENCES cas (id)
);
CREATE UNIQUE INDEX idx_cacerts_fingerprint ON cacerts (fingerprint);
CREATE TABLE users (
  id INTEGER NOT NULL PRIMARY KEY,
  name VARCHAR,
  ca_id INTEGER NOT NULL,
  FOREIGN KEY (ca_id) REFERENCES cas (id) ON DELETE RESTRICT
);
CREATE TABLE certs (
  id INTEGER NOT NULL PRIMARY KEY,
  fingerprint VARCHAR NOT NULL,
  pub_cert VARCHAR NOT NULL,
  user_id INTEGER,
  FOREIGN KEY (user_id) REFERENCES users (id),
  CONSTRAINT cert_fingerprint_unique UNIQUE (fingerprint)
);
CREATE UNIQUE INDEX idx_certs_fingerprint ON certs (fingerprint);
CREATE TABLE certs_emails (
  id INTEGER NOT NULL PRIMARY KEY,
  addr VARCHAR NOT NULL,
  cert_id INTEGER NOT NULL,
  FOREIGN KEY (cert_id) REFERENCES certs (id)
);
CREATE INDEX idx_emails_addr ON certs_emails (addr);
CREATE INDEX idx_certs_emails_cert_id ON certs_emails (cert_id);
CREATE TABLE revocations (
  id INTEGER NOT NULL PRIMARY KEY,
  hash VARCHAR NOT NULL,
  revocation VARCHAR NOT NULL,
  published BOOLEAN NOT NULL,
  cert_id INTEGER NOT NULL,
  FOREIGN KEY (cert_id) REFERENCES certs (id)
);
CREATE UNIQUE INDEX idx_revocations_hash ON revocations (hash);
CREATE INDEX idx_revocations_cert_id ON revocations (cert_id);
CREATE TABLE bridges (
  id INTEGER NOT NULL PRIMARY KEY,
  email VARCHAR NOT NULL,
  scope VARCHAR NOT NULL,
  cert_id INTEGER NOT NULL,
  cas_id INTEGER NOT NULL,
  FOREIGN KEY (cert_id) REFERENCES certs (id),
  FOREIGN KEY (cas_id) REFERENCES cas (id) ON DELETE RESTRICT,
  CONSTRAINT bridge_email_unique UNIQUE (email)
);
INSERT INTO __diesel_schema_migrations (version) VALUES ('20200817130000');

-- 2020-10-13-130000_extend_certs
ALTER TABLE certs ADD COLUMN delisted BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE certs ADD COLUMN inactive BOOLEAN NOT NULL DEFAULT false;
INSERT INTO __diesel_schema_migrations (version) VALUES ('20201013130000');

-- 2023-01-03-130000_ca_card
ALTER TABLE cacerts ADD COLUMN backend VARCHAR;
ALTER TABLE cacerts ADD COLUMN active BOOLEAN NOT NULL DEFAULT true;
INSERT INTO __diesel_schema_migrations (version) VALUES ('20230103130000');

-- 2023-03-15-130000_queue
CREATE TABLE queue (
  id INTEGER NOT NULL PRIMARY KEY,
  created TIMESTAMP NOT NULL,
  task VARCHAR NOT NULL,
  done BOOLEAN NOT NULL
);
INSERT INTO __diesel_schema_migrations (version) VALUES ('20230315130000');
