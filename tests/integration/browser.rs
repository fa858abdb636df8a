//! The HTML review in a real browser: headless Chromium driven through chromedriver's W3C WebDriver
//! HTTP API (a tiny client over `ureq`). The page must load from a `file://` URL, its audio must load,
//! clicking a word must move the playhead there, and transcript markup must show as text.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rehearse::history::Store;
use serde_json::{Value, json};

use crate::harness::Rehearse;
use crate::history::{report, seed_session, timed};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A chromedriver process with one browser session; both end when this is dropped.
struct Browser {
    driver: Child,
    base: String,
    session: String,
    agent: ureq::Agent,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn start() -> Browser {
        assert!(
            Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists(),
            "install chromium and chromium-driver (scripts/setup.sh)"
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let profile = tempfile::tempdir().unwrap();
        let mut browser = Browser {
            driver,
            base: format!("http://127.0.0.1:{port}"),
            session: String::new(),
            agent,
            _profile: profile,
        };
        let started = Instant::now();
        while browser
            .request("GET", "/status", None)
            .map(|(_, v)| v["value"]["ready"] != true)
            .unwrap_or(true)
        {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--autoplay-policy=no-user-gesture-required",
        ]
        .iter()
        .map(|a| a.to_string())
        .chain([format!(
            "--user-data-dir={}",
            browser._profile.path().display()
        )])
        .collect::<Vec<_>>();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "unhandledPromptBehavior": "ignore",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args}}}});
        let (status, value) = browser.request("POST", "/session", Some(caps)).unwrap();
        assert_eq!(status, 200, "new session: {value}");
        browser.session = value["value"]["sessionId"].as_str().unwrap().to_string();
        browser
    }

    fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<(u16, Value), ureq::Error> {
        let url = format!("{}{path}", self.base);
        let mut response = match (method, body) {
            ("GET", _) => self.agent.get(&url).call()?,
            ("DELETE", _) => self.agent.delete(&url).call()?,
            (_, body) => self
                .agent
                .post(&url)
                .header("Content-Type", "application/json")
                .send(body.unwrap_or_else(|| json!({})).to_string())?,
        };
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string()?;
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
    }

    /// A command in the session; panics on a WebDriver error.
    fn command(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, value) = self
            .request(method, &format!("/session/{}{path}", self.session), body)
            .unwrap();
        assert_eq!(status, 200, "{method} {path}: {value}");
        value["value"].clone()
    }

    fn execute(&self, script: &str) -> Value {
        self.command(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    /// Polls `script` until it returns something truthy (for at most `limit`), and returns that.
    fn wait_for(&self, script: &str, limit: Duration, what: &str) -> Value {
        let started = Instant::now();
        loop {
            let value = self.execute(script);
            if !(value.is_null() || value == false || value == 0) {
                return value;
            }
            assert!(started.elapsed() < limit, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn click_word(&self, word: &str) {
        let found = self.command(
            "POST",
            "/element",
            Some(json!({"using": "xpath", "value": format!("//p[@class='transcript']/span[contains(@class,'w') and text()='{word}']")})),
        );
        let id = found
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap()
            .as_str()
            .unwrap()
            .to_string();
        self.command("POST", &format!("/element/{id}/click"), None);
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.request("DELETE", &format!("/session/{}", self.session), None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

#[test]
fn the_html_review_plays_seeks_and_escapes_in_chromium() {
    let home = tempfile::tempdir().unwrap();
    let mut store = Store::open(home.path()).unwrap();
    let words = timed(
        "So um I missed the deadline <script>alert(1)</script> on my first project and I learned to plan",
        0.5,
        &[(7, 1.2)],
    );
    let mut answer = report("failure", "<img src=x onerror=window.__xss=1>", &words, 71);
    answer = answer.replace("You own a real failure.", "<script>window.__xss=2</script>");
    seed_session(&mut store, 1_750_000_000, &[answer.clone()], None);
    let session = seed_session(&mut store, 1_750_100_000, &[answer], Some(8.0));
    drop(store);
    let page = home.path().join("review.html");
    Rehearse::new()
        .env("REHEARSE_HOME", home.path())
        .args(["review", &session.to_string(), "--html"])
        .arg(&page)
        .run()
        .success();

    let browser = Browser::start();
    browser.command(
        "POST",
        "/url",
        Some(json!({"url": format!("file://{}", page.display())})),
    );
    assert_eq!(browser.execute("return document.readyState"), "complete");
    assert_eq!(
        browser.execute("return document.title"),
        format!("rehearse · session {session}")
    );

    // The embedded WAV loads: metadata known, duration 8 s.
    let duration = browser.wait_for(
        "var a = document.querySelector('audio'); return a.readyState >= 1 && a.duration > 0 ? a.duration : null",
        Duration::from_secs(15),
        "the audio to load",
    );
    assert!(
        (duration.as_f64().unwrap() - 8.0).abs() < 0.05,
        "duration {duration}"
    );
    assert_eq!(
        browser.execute("return document.querySelector('audio').currentTime"),
        0
    );

    // Clicking a word moves the playhead to that word's start, forwards and back, and asks to play.
    // play() is replaced by a recorder so the playhead stays exactly where the click put it (no
    // sound card here, and a playing clock would blur the check).
    browser.execute(
        "var a = document.querySelector('audio'); window.__plays = 0; \
         a.play = function () { window.__plays += 1; return Promise.resolve(); }",
    );
    for (n, word) in ["project", "missed"].iter().enumerate() {
        let start = words.iter().find(|w| w.0 == *word).unwrap().1;
        browser.click_word(word);
        let now = browser.wait_for(
            &format!("var t = document.querySelector('audio').currentTime; return Math.abs(t - {start}) < 0.01 ? t : null"),
            Duration::from_secs(10),
            &format!("the playhead to reach `{word}` at {start} s"),
        );
        assert!(
            (now.as_f64().unwrap() - start).abs() < 0.01,
            "`{word}` at {start} s, playhead {now}"
        );
        assert_eq!(browser.execute("return window.__plays"), n + 1);
    }

    // Markup in the transcript, question and messages shows as text and never runs.
    let transcript = browser.execute("return document.querySelector('.transcript').textContent");
    assert!(
        transcript
            .as_str()
            .unwrap()
            .contains("<script>alert(1)</script>"),
        "{transcript}"
    );
    let heading = browser.execute("return document.querySelector('.answer h2').textContent");
    assert!(
        heading
            .as_str()
            .unwrap()
            .contains("<img src=x onerror=window.__xss=1>"),
        "{heading}"
    );
    assert_eq!(browser.execute("return document.scripts.length"), 1);
    assert_eq!(
        browser.execute("return document.querySelectorAll('.answer img, .answer script').length"),
        0
    );
    assert_eq!(browser.execute("return typeof window.__xss"), "undefined");
    let (status, alert) = browser
        .request(
            "GET",
            &format!("/session/{}/alert/text", browser.session),
            None,
        )
        .unwrap();
    assert_eq!(status, 404, "an alert is open: {alert}");
    assert_eq!(alert["value"]["error"], "no such alert");
    // The trend chart shows both sessions, the reviewed one marked.
    assert_eq!(
        browser.execute("return document.querySelectorAll('svg.trend circle').length"),
        2
    );
    assert_eq!(
        browser.execute("return document.querySelectorAll('svg.trend circle.current').length"),
        1
    );
}

/// Issue 12: the pace and pitch chart sits under the timeline, draws every window's pace, marks every
/// filler, and shows in a screenshot of headless Chromium.
#[test]
fn the_html_review_draws_pace_and_pitch_over_time_in_chromium() {
    let home = tempfile::tempdir().unwrap();
    let mut store = Store::open(home.path()).unwrap();
    let words = timed(
        "So um I missed the deadline on my first project um and uh I learned to plan um the work",
        0.5,
        &[(6, 1.0)],
    );
    let mut answer: Value =
        serde_json::from_str(&report("failure", "Have you ever failed?", &words, 71)).unwrap();
    let windows: Vec<Value> = [(110.0, 118.0, 0), (150.0, 125.0, 1), (185.0, 131.0, 3)]
        .iter()
        .enumerate()
        .map(|(i, (wpm, hz, fillers))| {
            json!({"start": i as f64 * 3.0, "end": (i + 1) as f64 * 3.0, "words": 7,
                   "words_per_minute": wpm, "fillers": fillers, "pitch_hz": hz, "level_dbfs": -20.0})
        })
        .collect();
    answer["delivery"]["windows"] = Value::Array(windows);
    let fillers = answer["delivery"]["fillers"]["items"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(fillers, 4);
    let session = seed_session(&mut store, 1_750_000_000, &[answer.to_string()], Some(9.0));
    drop(store);
    let page = home.path().join("review.html");
    Rehearse::new()
        .env("REHEARSE_HOME", home.path())
        .args(["review", &session.to_string(), "--html"])
        .arg(&page)
        .run()
        .success();

    let browser = Browser::start();
    browser.command(
        "POST",
        "/url",
        Some(json!({"url": format!("file://{}", page.display())})),
    );
    assert_eq!(browser.execute("return document.readyState"), "complete");
    assert_eq!(
        browser.execute("return document.querySelectorAll('svg.pace .pace-point').length"),
        3
    );
    assert_eq!(
        browser.execute("return document.querySelectorAll('svg.pace .filler-mark').length"),
        fillers
    );
    assert_eq!(
        browser.execute("return document.querySelectorAll('svg.pace .pitch-line').length"),
        1
    );
    // Drawn, readable and under the timeline: a real height, the line rising with the pace.
    let boxes = browser.execute(
        "var c = document.querySelector('svg.pace').getBoundingClientRect(); \
         var t = document.querySelector('svg.timeline').getBoundingClientRect(); \
         var p = Array.from(document.querySelectorAll('svg.pace .pace-point')).map(e => e.getBoundingClientRect().top); \
         return [c.width, c.height, c.top - t.bottom, p[0] - p[2]]",
    );
    let b: Vec<f64> = boxes
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!(b[0] > 400.0 && b[1] > 60.0, "chart {b:?}");
    assert!(b[2] >= 0.0, "chart above the timeline: {b:?}");
    assert!(b[3] > 10.0, "the faster window is not drawn higher: {b:?}");
    // Clicking a filler mark seeks the audio to it.
    browser.execute(
        "var a = document.querySelector('audio'); a.play = function () { return Promise.resolve(); }; \
         document.querySelectorAll('svg.pace .filler-mark')[1].dispatchEvent(new MouseEvent('click', {bubbles: true}))",
    );
    let second_filler = words.iter().filter(|w| w.0 == "um").nth(1).unwrap().1;
    let now = browser.wait_for(
        &format!("var t = document.querySelector('audio').currentTime; return Math.abs(t - {second_filler}) < 0.01 ? t : null"),
        Duration::from_secs(10),
        "the playhead to reach the second filler",
    );
    assert!(now.as_f64().is_some());
    // The screenshot: a PNG of the chart's part of the page as a person sees it, kept for a look.
    browser.execute("document.querySelector('svg.timeline').scrollIntoView()");
    let shot = browser.command("GET", "/screenshot", None);
    use base64::Engine;
    let png = base64::engine::general_purpose::STANDARD
        .decode(shot.as_str().unwrap())
        .unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let kept = std::env::temp_dir().join("rehearse-pace-chart.png");
    std::fs::write(&kept, &png).unwrap();
    eprintln!("screenshot: {}", kept.display());
}
