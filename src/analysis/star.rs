//! Content checks for the other behavioural questions, from the widely published STAR advice
//! (situation, task, action, result) and the common advice on weakness, motivation and introductions.

use std::sync::LazyLock;

use super::Outcome::{Fail, Pass, Warn};
use super::checks::Judgement;
use super::features::{Features, evidence_list};
use super::pattern::{Hit, Pattern, Subject, compile, find_all, negated, subject};
use super::text::Doc;

macro_rules! patterns {
    ($($name:ident = $list:expr;)*) => {
        $(static $name: LazyLock<Vec<Pattern>> = LazyLock::new(|| compile($list));)*
    };
}

patterns! {
    RESULTS = &["as a result", "in the end", "the outcome", "which meant", "resulted in", "led to", "on time", "early",
        "increased|reduced|saved|improved|grew|doubled|tripled|cut|raised|won|delivered|launched|shipped|finished|resolved|agreed|signed|renewed|promoted",
        "@num percent", "percent", "succeeded|success|successful", "went ?really well", "thanked|praised", "still work together", "best"];
    REAL_WEAKNESS = &["i ?can ?tend to", "i struggle*", "i have ?had trouble", "i find it hard|difficult", "i am not ?very ?always great|good|the best|comfortable|confident",
        "my ?biggest ?greatest weakness is|was|has", "i get nervous|anxious|impatient|defensive", "i procrastinat*", "i can be", "i used to", "i have a habit"];
    IMPROVE = &["i have been working|practicing|practising|learning|trying", "i started|began|joined|took|signed|set|asked|use|now|practice|practise|schedule|block|write|read",
        "i am working on", "i am learning", "course|coach|mentor|training|toastmasters", "now i", "these days", "since then", "it has helped|made"];
    ROLE = &["this role|position|job|team|company|opportunity", "your company|team|mission|product|products|customers|work|values|culture",
        "here", "the role", "you are building", "your"];
    EXPERIENCE = &["my experience", "i have ?been ?spent", "i bring", "skills", "background", "i worked|led|built|managed|studied", "years of", "i am good at", "i enjoy|love"];
    POSITIVE_MOTIVE = &["excited|exciting|passionate|interested|interesting|love|enjoy|curious|inspired|motivated", "grow|growth|learn|develop|challenge",
        "impact|mission|difference|contribute|build|help", "responsibility|responsibilities|lead|leading"];
    MONEY_MOTIVE = &["money|salary|pay|paid|benefits|perks|bonus|commute|vacation|holidays", "need a job", "get out of|away from", "hate my|hate the", "bored"];
    INSULTS = &["idiot|idiots|stupid|lazy|incompetent|useless|toxic|crazy|clueless|terrible|awful|rude|impossible|annoying|arrogant|jerk|nightmare|moron"];
    LEADING = &["i ?personally led|organized|organised|coordinated|delegated|mentored|coached|motivated|assigned|rallied|guided|directed|ran|chaired|set|decided|brought|split|divided|hired|trained",
        "i took charge|the lead|ownership|responsibility", "i was ?the leader|lead|manager|captain|in charge"];
    NOW = &["currently", "right now", "at the moment", "i am a|an", "i work as|at|for|in", "these days", "today i", "my current"];
    PAST = &["before that", "previously", "i started|studied|graduated|began|worked|spent|moved", "years ago", "in the past", "my background", "i have spent|worked|been"];
    NEXT = &["looking for", "next step", "excited about|to", "i want|would like|hope|am hoping", "this role|position|job|opportunity", "that is why", "which is why", "going forward"];
}

fn any(doc: &Doc, patterns: &[Pattern]) -> Vec<Hit> {
    find_all(doc, patterns)
        .into_iter()
        .filter(|h| !negated(doc, *h) && !doc.clauses[h.clause].hypothetical)
        .collect()
}

/// The speaker says what they themselves did (STAR action).
pub fn own_actions(doc: &Doc, f: &Features) -> Judgement {
    let _ = f;
    let mut mine = Vec::new();
    let mut ours = Vec::new();
    for (c, clause) in doc.clauses.iter().enumerate() {
        if !clause.past || clause.hypothetical {
            continue;
        }
        let words = doc.clause_norms(c);
        // The clause's first subject word decides; copula clauses ("I was nervous") are not actions.
        let Some(i) = words.iter().position(|w| *w == "i" || *w == "we") else {
            continue;
        };
        if words
            .get(i + 1)
            .is_some_and(|n| ["was", "were", "am", "had"].contains(n))
        {
            continue;
        }
        let hit = Hit {
            clause: c,
            start: i,
            end: i + 1,
        };
        if subject(doc, hit) == Subject::Speaker {
            mine.push(hit)
        } else {
            ours.push(hit)
        }
    }
    if mine.len() >= 2 {
        Judgement::new(Pass, evidence_list(doc, &mine, 2))
    } else if mine.len() + ours.len() >= 2 {
        Judgement::new(Warn, evidence_list(doc, &ours, 2))
    } else {
        Judgement::new(Fail, Vec::new())
    }
}

/// The answer ends with a result (STAR result).
pub fn result(doc: &Doc, f: &Features) -> Judgement {
    let _ = f;
    let hits: Vec<Hit> = any(doc, &RESULTS)
        .into_iter()
        .filter(|h| !doc.clauses[h.clause].future)
        .collect();
    if hits.is_empty() {
        Judgement::new(Fail, Vec::new())
    } else {
        Judgement::new(
            Pass,
            evidence_list(doc, &hits[hits.len().saturating_sub(2)..], 2),
        )
    }
}

/// A genuine weakness, not a strength in disguise or a denial.
pub fn real_weakness(doc: &Doc, f: &Features) -> Judgement {
    if !f.disguised.is_empty() || !f.denial.is_empty() {
        let mut hits = f.disguised.clone();
        hits.extend(f.denial.iter().copied());
        return Judgement::new(Fail, evidence_list(doc, &hits, 2));
    }
    let hits = find_all(doc, &REAL_WEAKNESS);
    if hits.is_empty() {
        Judgement::new(Warn, Vec::new())
    } else {
        Judgement::new(Pass, evidence_list(doc, &hits, 2))
    }
}

/// Concrete steps taken to improve; only plans warn.
pub fn improvement_steps(doc: &Doc, f: &Features) -> Judgement {
    let _ = f;
    let hits = any(doc, &IMPROVE);
    let done: Vec<Hit> = hits
        .iter()
        .copied()
        .filter(|h| !doc.clauses[h.clause].future)
        .collect();
    if !done.is_empty() {
        Judgement::new(Pass, evidence_list(doc, &done, 2))
    } else if !hits.is_empty() {
        Judgement::new(Warn, evidence_list(doc, &hits, 2))
    } else {
        Judgement::new(Fail, Vec::new())
    }
}

/// Ties the speaker's experience to this role.
pub fn role_fit(doc: &Doc) -> Judgement {
    let role = any(doc, &ROLE);
    let experience = any(doc, &EXPERIENCE);
    match (role.is_empty(), experience.is_empty()) {
        (false, false) => Judgement::new(Pass, evidence_list(doc, &[role[0], experience[0]], 2)),
        (true, true) => Judgement::new(Fail, Vec::new()),
        _ => Judgement::new(
            Warn,
            evidence_list(doc, if role.is_empty() { &experience } else { &role }, 1),
        ),
    }
}

/// Reasons about the work rather than pay or escape.
pub fn motivation(doc: &Doc) -> Judgement {
    let good = any(doc, &POSITIVE_MOTIVE);
    let money = any(doc, &MONEY_MOTIVE);
    if !money.is_empty() && money.len() >= good.len() {
        Judgement::new(Fail, evidence_list(doc, &money, 2))
    } else if !good.is_empty() {
        Judgement::new(Pass, evidence_list(doc, &good, 2))
    } else {
        Judgement::new(Warn, Vec::new())
    }
}

/// Others described with respect: no insults, no blame.
pub fn respectful_tone(doc: &Doc, f: &Features) -> Judgement {
    let mut hits: Vec<Hit> = any(doc, &INSULTS);
    hits.extend(f.deflection.iter().copied());
    if hits.is_empty() {
        Judgement::new(Pass, Vec::new())
    } else {
        Judgement::new(Fail, evidence_list(doc, &hits, 2))
    }
}

/// The speaker leads others (organises, delegates, decides).
pub fn led_others(doc: &Doc) -> Judgement {
    let hits = any(doc, &LEADING);
    if !hits.is_empty() {
        return Judgement::new(Pass, evidence_list(doc, &hits, 2));
    }
    let we = (0..doc.clauses.len()).any(|c| doc.clause_norms(c).contains(&"we"));
    Judgement::new(if we { Warn } else { Fail }, Vec::new())
}

/// Present, past and future: now, how they got here, what next.
pub fn career_arc(doc: &Doc) -> Judgement {
    let parts = [any(doc, &NOW), any(doc, &PAST), any(doc, &NEXT)];
    let found: Vec<Hit> = parts.iter().filter_map(|p| p.first().copied()).collect();
    let outcome = match found.len() {
        3 => Pass,
        2 => Warn,
        _ => Fail,
    };
    Judgement::new(outcome, evidence_list(doc, &found, 3))
}

#[cfg(test)]
mod tests {
    use crate::analysis::{Outcome, analyze_text};
    use crate::questions::Bank;

    fn outcome(question: &str, answer: &str, check: &str) -> Outcome {
        let bank = Bank::shipped().unwrap();
        let report = analyze_text(bank.get(question).unwrap(), answer);
        report.check(check).unwrap().outcome
    }

    #[test]
    fn weakness_in_disguise_fails_and_a_real_one_passes() {
        assert_eq!(
            outcome(
                "greatest-weakness",
                "Honestly I'm a perfectionist and I work too hard.",
                "real-weakness"
            ),
            Outcome::Fail
        );
        let real = "I tend to avoid public speaking. Last year I joined a speaking club and I have been practising every week.";
        assert_eq!(
            outcome("greatest-weakness", real, "real-weakness"),
            Outcome::Pass
        );
        assert_eq!(
            outcome("greatest-weakness", real, "improvement-steps"),
            Outcome::Pass
        );
    }

    #[test]
    fn star_story_has_own_actions_and_a_result() {
        let story = "Last spring a colleague and I disagreed about the release plan. I asked her for coffee, I listened to \
                     her concerns and I proposed a compromise. In the end we shipped on time and we still work together.";
        assert_eq!(outcome("conflict", story, "own-actions"), Outcome::Pass);
        assert_eq!(outcome("conflict", story, "result"), Outcome::Pass);
        assert_eq!(outcome("conflict", story, "respectful-tone"), Outcome::Pass);
        let rude = "My colleague was an idiot and totally lazy, so we argued.";
        assert_eq!(outcome("conflict", rude, "respectful-tone"), Outcome::Fail);
    }

    #[test]
    fn motivation_about_pay_fails() {
        assert_eq!(
            outcome(
                "why-this-role",
                "Mostly the salary and the short commute.",
                "motivation"
            ),
            Outcome::Fail
        );
        let good = "I'm excited about your mission, and my experience building payment systems fits this role.";
        assert_eq!(outcome("why-this-role", good, "motivation"), Outcome::Pass);
        assert_eq!(outcome("why-this-role", good, "role-fit"), Outcome::Pass);
    }
}
