import Foundation
import QADCore
import QADLabels
import Testing

/// Label classes to relevance, and the simulated reviewers' roles.
@Suite struct RelevanceMapTests {
    @Test func physicsAndInstrumentInvertTheArtefactRole() {
        #expect(RelevanceMap.physics.relevance(of: .knownPhenomenon) == 1)
        #expect(RelevanceMap.physics.relevance(of: .artifact) == -1)
        #expect(RelevanceMap.instrument.relevance(of: .artifact) == 1)
        #expect(RelevanceMap.instrument.relevance(of: .knownPhenomenon) == -1)
        for map in [RelevanceMap.physics, .instrument] {
            #expect(map.relevance(of: .notAnomalous) == -1 && map.relevance(of: .unsure) == 0)
        }
    }

    @Test func aMapIsParsedFromChangesToPhysics() throws {
        #expect(try RelevanceMap(parsing: "instrument") == .instrument)
        let custom = try RelevanceMap(parsing: "misclassified=1, wrong_redshift=0.5")
        #expect(custom.relevance(of: .misclassified) == 1 && custom.relevance(of: .wrongRedshift) == 0.5)
        #expect(custom.relevance(of: .artifact) == -1)
        #expect(try RelevanceMap(parsing: custom.description) == custom)
        for (bad, says) in [("artefact=1", "classes: genuine_anomaly"), ("artifact=2", "not a number in [−1, 1]"),
                            ("artifact", "not class=value"), ("artifact=nan", "not a number")] {
            do {
                _ = try RelevanceMap(parsing: bad)
                Issue.record("\(bad) accepted")
            } catch {
                #expect("\(error)".contains(says), "\(bad): \(error)")
            }
        }
    }

    @Test func personasLabelWhatTheSpectrumIsAndWantTheirRoles() throws {
        #expect(ReviewerPersona.label(of: nil) == .notAnomalous)
        #expect(ReviewerPersona.label(of: "bal_hi") == .knownPhenomenon)
        #expect(ReviewerPersona.label(of: "MISCLASSIFIED_STAR") == .misclassified)
        #expect(ReviewerPersona.label(of: "star") == .misclassified)
        #expect(ReviewerPersona.label(of: "WRONG_Z") == .wrongRedshift)
        #expect(ReviewerPersona.label(of: "sky_residual") == .artifact)
        #expect(ReviewerPersona.label(of: "CALIBRATION_TILT") == .artifact)
        // A kind nobody described is a genuine anomaly, interesting to physics.
        #expect(ReviewerPersona.label(of: "double_peaked") == .genuineAnomaly)
        #expect(!ReviewerPersona.isKnown("double_peaked"))
        let physics = try ReviewerPersona(named: "physics"), instrument = try ReviewerPersona(named: "Instrument")
        #expect(physics.isInteresting("reddened") && !physics.isInteresting("arm_step") && !physics.isInteresting(nil))
        #expect(instrument.isInteresting("arm_step") && instrument.isInteresting("wrong_z") && !instrument.isInteresting("bal_lo"))
        #expect(throws: (any Error).self) { try ReviewerPersona(named: "cosmology") }
    }
}
