import QADCore
