// The score vocabulary (ScoreName) moved to QADCore so the store can name
// score columns; QADDetect re-exports it for its users. This file also keeps
// the target buildable on branches where its scorers have not landed yet.
@_exported import QADCore
