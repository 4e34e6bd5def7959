"""Identity: real-name enrolment, passkeys, sessions, one-time and recovery codes."""
