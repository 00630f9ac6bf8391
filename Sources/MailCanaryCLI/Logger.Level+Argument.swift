import ArgumentParser
import Logging

/// `--log-level trace|debug|info|notice|warning|error|critical`, checked by the parser.
extension Logger.Level: @retroactive ExpressibleByArgument {}
