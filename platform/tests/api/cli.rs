//! The `platform` binary: exit codes, one-line errors, `--json`, confirmation, `--owner` mail.

use std::{
    io::Write,
    process::{Command, Output, Stdio},
};

use crate::helpers::{Db, fresh_postgres_database, platform_bin};

crate::both_backends!(tenant_commands);

struct Cli {
    dir: tempfile::TempDir,
    database_url: Option<String>,
}

impl Cli {
    async fn new(db: Db) -> Self {
        let database_url = match db {
            Db::Sqlite => None,
            Db::Postgres => Some(fresh_postgres_database().await),
        };
        Self {
            dir: tempfile::tempdir().expect("tempdir"),
            database_url,
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(platform_bin());
        cmd.args(args)
            .env_remove("PLATFORM_CONFIG")
            .env_remove("PLATFORM_SMTP_URL")
            .env_remove("PLATFORM_LISTEN")
            .env("PLATFORM_DATA_DIR", self.dir.path().join("data"))
            .env("PLATFORM_MAIL_DIR", self.dir.path().join("mail"))
            .env("PLATFORM_PUBLIC_URL", "https://auth.example.test");
        match &self.database_url {
            Some(url) => cmd.env("PLATFORM_DATABASE_URL", url),
            None => cmd.env_remove("PLATFORM_DATABASE_URL"),
        };
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args)
            .stdin(Stdio::null())
            .output()
            .expect("run platform")
    }

    fn run_with_input(&self, args: &[&str], input: &str) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn platform");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
        child.wait_with_output().expect("wait")
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A failed command prints exactly one line starting with `error:` and exits non-zero.
fn assert_one_line_error(o: &Output, mentions: &str) {
    assert!(!o.status.success(), "expected failure: {}", stdout(o));
    let err = stderr(o);
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].to_lowercase().contains(mentions), "{err}");
}

async fn tenant_commands(db: Db) {
    let cli = Cli::new(db).await;
    let o = cli.run(&["tenant", "create", "acme", "--name", "Acme Inc", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let created: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(created["slug"], "acme");
    assert_eq!(created["name"], "Acme Inc");
    assert!(uuid::Uuid::parse_str(created["id"].as_str().expect("id")).is_ok());

    assert_one_line_error(&cli.run(&["tenant", "create", "acme"]), "already exists");
    assert_one_line_error(&cli.run(&["tenant", "create", "admin"]), "reserved");
    assert_one_line_error(&cli.run(&["tenant", "create", "Bad_Slug"]), "slug");

    let o = cli.run(&[
        "tenant",
        "create",
        "globex",
        "--owner",
        "Boss@Globex.test",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mail: Vec<String> = std::fs::read_dir(cli.dir.path().join("mail"))
        .expect("mail dir")
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).expect("eml"))
        .collect();
    assert_eq!(mail.len(), 1, "one invitation email");
    assert!(mail[0].contains("To: boss@globex.test"), "{}", mail[0]);
    let unfolded = mail[0]
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    assert!(
        unfolded.contains("https://auth.example.test/accept-invitation?tenant=globex&token="),
        "{unfolded}"
    );

    let o = cli.run(&["tenant", "list", "--json"]);
    assert!(o.status.success());
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let slugs: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|t| t["slug"].as_str())
        .collect();
    assert_eq!(slugs, ["acme", "globex"]);
    let table = stdout(&cli.run(&["tenant", "list"]));
    assert!(
        table.starts_with("SLUG") && table.contains("Acme Inc"),
        "{table}"
    );

    assert!(cli.run(&["tenant", "suspend", "acme"]).status.success());
    assert!(cli.run(&["tenant", "resume", "acme"]).status.success());
    assert_one_line_error(&cli.run(&["tenant", "suspend", "nope-nope"]), "not found");

    // Delete asks for the slug: no answer or a wrong one deletes nothing.
    assert_one_line_error(&cli.run(&["tenant", "delete", "acme"]), "not confirmed");
    assert_one_line_error(
        &cli.run_with_input(&["tenant", "delete", "acme"], "globex\n"),
        "not confirmed",
    );
    let o = cli.run_with_input(&["tenant", "delete", "acme"], "acme\n");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        cli.run(&["tenant", "delete", "globex", "--yes"])
            .status
            .success()
    );
    let list: serde_json::Value =
        serde_json::from_slice(&cli.run(&["tenant", "list", "--json"]).stdout).expect("json");
    assert_eq!(list, serde_json::json!([]));

    let o = cli.run(&["migrate"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("0 tenant(s)"), "{}", stdout(&o));
}

#[test]
fn bad_configuration_stops_with_a_message_naming_the_setting() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = Command::new(platform_bin())
        .args(["tenant", "list"])
        .env("PLATFORM_DATA_DIR", dir.path())
        .env("PLATFORM_LISTEN", "not-an-address")
        .output()
        .expect("run");
    assert_one_line_error(&o, "listen");
    let o = Command::new(platform_bin())
        .args(["tenant", "list"])
        .env("PLATFORM_DATA_DIR", dir.path())
        .env("PLATFORM_DATABASE_URL", "mysql://nope")
        .output()
        .expect("run");
    assert_one_line_error(&o, "database_url");
}

#[test]
fn openapi_prints_the_committed_document() {
    let o = Command::new(platform_bin())
        .arg("openapi")
        .output()
        .expect("run");
    assert!(o.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let committed: serde_json::Value =
        serde_json::from_str(include_str!("../../../openapi/platform.json")).expect("json");
    assert_eq!(printed, committed);
}
