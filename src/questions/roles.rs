//! The role sets a question can belong to (`roles = [...]` in a question file): the fixed list of
//! names, what each covers, and the check that a file names only these.

/// One role set: its name in question files and on the command line, and what it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Role {
    /// The name (`software-engineering`).
    pub name: &'static str,
    /// One line on who practises it.
    pub about: &'static str,
}

/// Every role set, in listing order. `general` holds the behavioural and background questions any
/// candidate gets; a general question may also list the roles where it is especially common.
pub const ROLES: &[Role] = &[
    Role {
        name: "general",
        about: "behavioural and background questions any candidate gets",
    },
    Role {
        name: "software-engineering",
        about: "software developers and engineers",
    },
    Role {
        name: "data-analysis",
        about: "data and business analysts",
    },
    Role {
        name: "project-management",
        about: "project and programme managers, coordinators",
    },
    Role {
        name: "ux-design",
        about: "UX, product and interaction designers, researchers",
    },
    Role {
        name: "it-support",
        about: "help desk, IT support and systems technicians",
    },
    Role {
        name: "nursing-care",
        about: "nurses, care assistants and support workers",
    },
    Role {
        name: "teaching",
        about: "teachers, teaching assistants and tutors",
    },
    Role {
        name: "customer-service-retail",
        about: "customer service, call centre and retail staff",
    },
    Role {
        name: "sales",
        about: "sales representatives and account managers",
    },
    Role {
        name: "early-career",
        about: "candidates without work experience: school, volunteering and projects count",
    },
];

/// The role set with this name.
pub fn get(name: &str) -> Option<&'static Role> {
    ROLES.iter().find(|r| r.name == name)
}

/// Every role name, for error messages.
pub fn names() -> Vec<&'static str> {
    ROLES.iter().map(|r| r.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_known() {
        let names = names();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
        assert_eq!(names.len(), 11);
        assert!(get("nursing-care").is_some());
        assert!(get("nursing").is_none());
    }
}
