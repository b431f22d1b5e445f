/// A store or broker whose calls run in this process's memory and always answer promptly:
/// the hub calls it inline instead of in a task raced against the send's deadline.
///
/// `Deadline.run` puts each call in a task of its own so that a call that never answers (a
/// database behind a cut connection) can be left behind. That task, and the hop to it and
/// back, was a measurable part of a round trip on the in-memory store, whose calls cannot hang:
/// they take a lock, change memory and return. Only types whose every call is like that may
/// conform; a wrapper that can stall (the tests' gated stores) does not, and gets the deadline.
package protocol AnswersInProcess {}
