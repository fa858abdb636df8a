//! The rotation: which questions a session asks when none are named. It prefers questions not
//! answered recently and those whose last score was low (read from the history), keeps the flagship
//! (`failure`) among every role's questions until it has been answered well twice, and, given a job
//! advert, favours the questions that match it. The same bank and history always give the same
//! questions.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::history::Answered;
use crate::questions::Question;

/// The flagship question, asked in every role set until answered well twice.
pub const FLAGSHIP: &str = "failure";
/// A score at or above this is an answer "answered well" (the report's "a good answer" band).
pub const GOOD_SCORE: u32 = 65;
/// How many good answers release the flagship from the defaults.
pub const FLAGSHIP_GOOD_ANSWERS: usize = 2;
/// After this many sessions without it, a question counts as fully "not answered recently".
pub const RECENCY_SESSIONS: usize = 10;
/// The weight of a job advert's match (0 to 1) against recency (0 to 1) and need (0 to 1).
pub const JOB_WEIGHT: f64 = 1.0;

/// What the history says about one question.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Past {
    /// Main answers given (follow-ups not counted).
    pub answered: usize,
    /// Sessions with answers since the last one that answered it (0: the latest session).
    pub sessions_ago: Option<usize>,
    /// The score of its latest answer.
    pub last_score: Option<u32>,
    /// Answers that scored [`GOOD_SCORE`] or more.
    pub good: usize,
}

/// Reads the history (oldest first, as [`crate::history::Store::answered`] gives it) into what the
/// rotation needs, by question id.
pub fn past(history: &[Answered]) -> BTreeMap<String, Past> {
    let mut sessions: Vec<crate::history::SessionId> = Vec::new();
    for a in history {
        if sessions.last() != Some(&a.session) && !sessions.contains(&a.session) {
            sessions.push(a.session);
        }
    }
    let mut by_id: BTreeMap<String, Past> = BTreeMap::new();
    for a in history {
        let index = sessions.iter().position(|s| *s == a.session).unwrap_or(0);
        let entry = by_id.entry(a.question_id.clone()).or_default();
        entry.answered += 1;
        entry.sessions_ago = Some(sessions.len() - 1 - index);
        entry.last_score = a.score;
        if a.score.is_some_and(|s| s >= GOOD_SCORE) {
            entry.good += 1;
        }
    }
    by_id
}

/// What a session asks for.
#[derive(Debug, Clone, Default)]
pub struct Request<'a> {
    /// Only questions of this role set (any question when `None`).
    pub role: Option<&'a str>,
    /// How many questions.
    pub count: usize,
    /// A job advert's match with each question (by id), 0 to 1; empty without an advert.
    pub job_match: BTreeMap<String, f64>,
}

/// One chosen question, with why.
#[derive(Debug, Clone, Serialize)]
pub struct Choice<'b> {
    /// The question.
    #[serde(skip)]
    pub question: &'b Question,
    /// Its priority (higher first); the flagship, when held in, has none.
    pub priority: Option<f64>,
    /// Why it was chosen, in words.
    pub reason: String,
}

/// The priority of a question: recency (1 when never answered, else sessions since over
/// [`RECENCY_SESSIONS`], at most 1) plus need (1 minus the last score over 100; 0.5 when unscored)
/// plus [`JOB_WEIGHT`] times the advert's match.
pub fn priority(past: Option<&Past>, job_match: f64) -> f64 {
    let (recency, need) = match past {
        None => (1.0, 0.5),
        Some(p) => (
            p.sessions_ago.map_or(1.0, |ago| {
                ago.min(RECENCY_SESSIONS) as f64 / RECENCY_SESSIONS as f64
            }),
            p.last_score
                .map_or(0.5, |s| f64::from(100 - s.min(100)) / 100.0),
        ),
    };
    recency + need + JOB_WEIGHT * job_match
}

fn reason(past: Option<&Past>, job_match: Option<f64>) -> String {
    let mut text = match past {
        None => "never answered".to_string(),
        Some(p) => {
            let when = match p.sessions_ago {
                Some(0) => "answered in the latest session".to_string(),
                Some(1) => "last answered one session ago".to_string(),
                Some(n) => format!("last answered {n} sessions ago"),
                None => "answered".to_string(),
            };
            match p.last_score {
                Some(s) => format!("{when}, scoring {s}"),
                None => when,
            }
        }
    };
    if let Some(m) = job_match {
        text.push_str(&format!("; matches the advert {:.0}%", m * 100.0));
    }
    text
}

/// Chooses `request.count` questions from `bank` (in bank order for ties): the flagship first while
/// it has fewer than [`FLAGSHIP_GOOD_ANSWERS`] good answers, then the role set's questions by
/// [`priority`], then, if the role set runs out, the other questions by priority.
pub fn choose<'b>(
    bank: &'b [Question],
    history: &BTreeMap<String, Past>,
    request: &Request<'_>,
) -> Vec<Choice<'b>> {
    let mut chosen: Vec<Choice<'b>> = Vec::new();
    if request.count == 0 {
        return chosen;
    }
    if let Some(flagship) = bank.iter().find(|q| q.id == FLAGSHIP) {
        let good = history.get(FLAGSHIP).map_or(0, |p| p.good);
        if good < FLAGSHIP_GOOD_ANSWERS {
            chosen.push(Choice {
                question: flagship,
                priority: None,
                reason: format!(
                    "the flagship, kept in until answered well twice ({good} good answer{} so far)",
                    if good == 1 { "" } else { "s" }
                ),
            });
        }
    }
    let in_role = |q: &Question| request.role.is_none_or(|r| q.roles.iter().any(|x| x == r));
    let ranked = |pool: Vec<&'b Question>| {
        let mut scored: Vec<(usize, f64, &'b Question)> = pool
            .into_iter()
            .enumerate()
            .map(|(i, q)| {
                let m = request.job_match.get(&q.id).copied().unwrap_or(0.0);
                (i, priority(history.get(&q.id), m), q)
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored
    };
    for inside in [true, false] {
        let pool: Vec<&Question> = bank
            .iter()
            .filter(|q| in_role(q) == inside)
            .filter(|q| !chosen.iter().any(|c| c.question.id == q.id))
            .collect();
        for (_, p, q) in ranked(pool) {
            if chosen.len() >= request.count {
                return chosen;
            }
            let m = request.job_match.get(&q.id).copied();
            chosen.push(Choice {
                question: q,
                priority: Some(p),
                reason: reason(history.get(&q.id), m),
            });
        }
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::SessionId;
    use crate::questions::Bank;

    fn answered(session: i64, id: &str, score: u32) -> Answered {
        Answered {
            session: SessionId(session),
            question_id: id.to_string(),
            score: Some(score),
        }
    }

    fn ids(choices: &[Choice<'_>]) -> Vec<String> {
        choices.iter().map(|c| c.question.id.clone()).collect()
    }

    #[test]
    fn past_counts_sessions_since_and_good_answers() {
        let history = vec![
            answered(1, "failure", 80),
            answered(1, "conflict", 40),
            answered(2, "failure", 50),
            answered(3, "teamwork", 90),
        ];
        let p = past(&history);
        assert_eq!(p["failure"].sessions_ago, Some(1));
        assert_eq!(p["failure"].last_score, Some(50));
        assert_eq!(p["failure"].good, 1);
        assert_eq!(p["conflict"].sessions_ago, Some(2));
        assert_eq!(p["teamwork"].sessions_ago, Some(0));
    }

    #[test]
    fn never_answered_and_low_scores_come_before_recent_good_ones() {
        let fresh = priority(None, 0.0);
        let low_last_week = priority(
            Some(&Past {
                answered: 1,
                sessions_ago: Some(0),
                last_score: Some(20),
                good: 0,
            }),
            0.0,
        );
        let good_last_week = priority(
            Some(&Past {
                answered: 1,
                sessions_ago: Some(0),
                last_score: Some(90),
                good: 1,
            }),
            0.0,
        );
        assert!(fresh > low_last_week && low_last_week > good_last_week);
    }

    #[test]
    fn rotation_over_several_sessions_moves_on_and_keeps_the_flagship_until_good_twice() {
        let bank = Bank::shipped().unwrap();
        let request = Request {
            role: Some("general"),
            count: 3,
            ..Request::default()
        };
        let mut history: Vec<Answered> = Vec::new();
        let mut asked: Vec<Vec<String>> = Vec::new();
        // Five sessions: each answers what the rotation picked; failure scores 70 (good) every
        // time, the others 50 except `conflict`, which scores 10.
        for session in 1..=5 {
            let picked = ids(&choose(bank.questions(), &past(&history), &request));
            assert_eq!(picked.len(), 3);
            assert_eq!(
                picked.iter().filter(|id| id.as_str() == FLAGSHIP).count(),
                usize::from(session <= 2),
                "session {session}: {picked:?}"
            );
            for id in &picked {
                let score = match id.as_str() {
                    FLAGSHIP => 70,
                    "conflict" => 10,
                    _ => 50,
                };
                history.push(answered(session, id, score));
            }
            asked.push(picked);
        }
        // Apart from the flagship, no question of one session is asked again in the next (the
        // bank's general set is large).
        for pair in asked.windows(2) {
            assert!(
                pair[1]
                    .iter()
                    .all(|id| id.as_str() == FLAGSHIP || !pair[0].contains(id)),
                "{pair:?}"
            );
        }
        // Deterministic: the same history gives the same choice.
        let again = ids(&choose(bank.questions(), &past(&history), &request));
        assert_eq!(
            again,
            ids(&choose(bank.questions(), &past(&history), &request))
        );
    }

    #[test]
    fn a_low_score_brings_a_question_back_before_a_good_one_of_the_same_age() {
        let bank = Bank::shipped().unwrap();
        let general: Vec<&Question> = bank
            .questions()
            .iter()
            .filter(|q| q.roles.iter().any(|r| r == "general") && q.id != FLAGSHIP)
            .collect();
        // Every general question answered in session 1; `conflict` badly, the rest well; the
        // flagship twice well, so it is released.
        let mut history = vec![answered(1, FLAGSHIP, 90), answered(2, FLAGSHIP, 90)];
        for q in &general {
            let score = if q.id == "conflict" { 15 } else { 85 };
            history.push(answered(1, &q.id, score));
        }
        let request = Request {
            role: Some("general"),
            count: 1,
            ..Request::default()
        };
        let picked = choose(bank.questions(), &past(&history), &request);
        assert_eq!(ids(&picked), vec!["conflict".to_string()]);
        assert!(
            picked[0].reason.contains("scoring 15"),
            "{}",
            picked[0].reason
        );
    }

    #[test]
    fn a_role_set_is_preferred_and_the_flagship_joins_it() {
        let bank = Bank::shipped().unwrap();
        let request = Request {
            role: Some("it-support"),
            count: 2,
            ..Request::default()
        };
        let picked = choose(bank.questions(), &BTreeMap::new(), &request);
        assert_eq!(picked[0].question.id, FLAGSHIP);
        assert!(
            picked[1].question.roles.iter().any(|r| r == "it-support"),
            "{:?}",
            picked[1].question.roles
        );
    }

    #[test]
    fn a_job_match_outweighs_a_small_recency_difference() {
        let bank = Bank::shipped().unwrap();
        let mut job_match = BTreeMap::new();
        job_match.insert("teamwork".to_string(), 1.0);
        let request = Request {
            role: None,
            count: 2,
            job_match,
        };
        let picked = choose(bank.questions(), &BTreeMap::new(), &request);
        assert_eq!(picked[1].question.id, "teamwork");
        assert!(picked[1].reason.contains("matches the advert 100%"));
    }
}
