import Foundation
import Testing

@testable import Economy

// Expected values below come from ai-economist 1.7.1's own PeriodicBracketTax methods, run on
// the same inputs.

@Suite("SaezEstimator formulas")
struct SaezFormulaTests {
  @Test("get_saez_marginal_rates example from the facts")
  func marginalRatesExample() {
    let taus = SaezEstimator.marginalRates(
      g: [0.9, 0.6, .nan, 0.3], a: [1, 2, .nan, 3], elasticity: 0.5)
    expectRelativelyClose(
      taus, [0.16666666638888886, 0.2857142855102041, 0.3019480517736971, 0.31818181803719003])
  }

  @Test("leading gaps interpolate from 0; inner gaps linearly; trailing NaN stays")
  func marginalRatesGaps() {
    let g = [.nan, .nan, 0.7, 0.5, .nan, .nan, .nan, 0.2, 0.1]
    let a = [.nan, .nan, 1.5, 2.0, .nan, .nan, .nan, 2.5, 0.0]
    expectRelativelyClose(
      SaezEstimator.marginalRates(g: g, a: a, elasticity: 0.8),
      [
        0.06666666662222222, 0.13333333324444444, 0.19999999986666667, 0.2380952379818594,
        0.24999999988945576, 0.26190476179705213, 0.27380952370464856, 0.28571428561224493,
        0.9999999988888889,
      ])
    let trailing = SaezEstimator.marginalRates(g: [0.5, .nan], a: [1, .nan], elasticity: 1)
    #expect(trailing[1].isNaN)
  }

  // Incomes: one below 0, one on the first edge, one on the last edge (closed bin), an empty
  // bin [4, 6), and two above the top edge.
  let incomes = [-2, 0, 1.5, 2, 2, 3.9, 7.5, 10, 12, 30, 0.5, 9.99]
  let edges = [0.0, 2, 4, 6, 8, 10]

  @Test("binned G and A with inverse-income weights")
  func binnedInverseIncome() {
    let (g, a) = SaezEstimator.binnedWelfareWeightsAndParetoParameters(
      incomes: incomes, binEdges: edges, weightType: .inverseIncome)
    expectRelativelyClose(
      g,
      [
        0.6486798627340247, 0.30818734555713756, 0.21091646101605985, 0.19819024121624734,
        0.15658028018462558, 0.12769653895281635,
      ])
    expectRelativelyClose(
      a,
      [
        0.15789473664265927, 0.6923076910295858, .nan, 0.7777777757037034, 2.999999987999999,
        1.9090909089173553,
      ])
  }

  @Test("binned G and A with uniform weights")
  func binnedUniform() {
    let (g, a) = SaezEstimator.binnedWelfareWeightsAndParetoParameters(
      incomes: incomes, binEdges: edges, weightType: .uniform)
    expectRelativelyClose(
      g,
      [
        0.9999999986212122, 0.9999999979666667, 0.9999999975166666, 0.9999999972166667,
        0.9999999954166667, 0.9999999939166667,
      ])
    expectRelativelyClose(
      a,
      [
        0.15789473664265927, 0.6923076910295858, .nan, 0.7777777757037034, 2.999999987999999,
        1.9090909089173553,
      ])
  }

  @Test("binned G and A with no incomes above the top edge")
  func binnedNoneAbove() {
    let (g, a) = SaezEstimator.binnedWelfareWeightsAndParetoParameters(
      incomes: [0.2, 0.4, 3.0, 3.5, 6.0, 8.0, 8.5, 9.0], binEdges: edges,
      weightType: .inverseIncome)
    expectRelativelyClose(
      g,
      [
        0.7424242413647841, 0.3939393931877869, 0.3030303023278237, 0.2929292921559534,
        0.1414141409920416, 0.0,
      ])
    expectRelativelyClose(a, [0.14285714269387756, 0.59999999904, .nan, 0.9999999977142856, 8.999999952, 0])
  }

  @Test("histogram follows np.histogram with explicit edges")
  func histogram() {
    let h = IncomeHistogram(incomes: incomes + [.nan], edges: edges)
    #expect(h.counts == [3, 3, 0, 1, 2])
    #expect(h.below == 1)
    #expect(h.above == [12, 30])
    #expect(h.total == 12)
  }

  @Test("estimation bins over [0, 510.3]")
  func estimationBins() {
    let edges = SaezEstimator.binEdges(topCutoff: 510.3)
    #expect(edges.count == 101)
    expectRelativelyClose(Array(edges.prefix(4)), [0.0, 5.103, 10.206, 15.309], rel: 0)
    expectRelativelyClose(Array(edges.suffix(3)), [500.094, 505.197, 510.3], rel: 0)
    let sizes = SaezEstimator.binSizes(edges: edges)
    #expect(sizes.count == 101)
    #expect(sizes[100] == .infinity)
  }

  @Test("bracketize_schedule onto the us-federal brackets")
  func bracketize() {
    let brackets = TaxBrackets()
    let edges = SaezEstimator.binEdges(topCutoff: brackets.topCutoff)
    let binRates = (0...100).map { 0.1 + 0.8 * Double(($0 * 37) % 101) / 100.0 }
    let rates = SaezEstimator.bracketize(
      binRates: binRates, binEdges: edges, binSizes: SaezEstimator.binSizes(edges: edges),
      brackets: brackets)
    expectRelativelyClose(
      rates,
      [
        0.240279587628866, 0.4847267842149454, 0.4948465511458916, 0.5381699052597185,
        0.5009682997118162, 0.49892242978445434, 0.612,
      ])
  }
}

@Suite("SaezEstimator elasticity")
struct SaezElasticityTests {
  @Test("OLS recovers an exact power law; the estimate is smoothed 0.02/0.98")
  func exactPowerLaw() {
    // log z = 0.8 · log(1 − τ) + 3, so OLS gives slope 0.8 and intercept 3 exactly.
    let taus = (0..<12).map { Double($0) * 0.07 }
    let incomes = taus.map { exp(3) * pow(1 - $0, 0.8) }
    let (elas, logZ0) = SaezEstimator.estimateElasticity(
      incomes: incomes, rates: taus, previous: 0.5, previousLogZ0: 0)
    expectRelativelyClose(elas, (1 - 0.98) * 0.8 + 0.98 * 0.5, rel: 1e-12)
    expectRelativelyClose(elas, 0.506, rel: 1e-12)
    expectRelativelyClose(logZ0, 3, rel: 1e-12)
  }

  /// The sample set run through Foundation's `estimate_uniform_income_elasticity`.
  private func noisySamples() -> (incomes: [Double], rates: [Double]) {
    var incomes: [Double] = []
    var rates: [Double] = []
    for k in 0..<40 {
      let tau = Double((k * 11) % 17) * 0.05
      incomes.append(30.0 * (1.0 - tau).squareRoot() * (1.0 + Double((k * 7) % 5 - 2) * 0.03))
      rates.append(tau)
    }
    // Filtered out: income <= 0 or rate >= 1.
    incomes += [-1, 0, 50, 60]
    rates += [0.2, 0.3, 1.0, 1.2]
    return (incomes, rates)
  }

  @Test("noisy OLS matches Foundation (numpy linalg)")
  func noisy() {
    let (incomes, rates) = noisySamples()
    let (elas, logZ0) = SaezEstimator.estimateElasticity(
      incomes: incomes, rates: rates, previous: 0.45, previousLogZ0: 1)
    expectRelativelyClose(elas, 0.4510228785227183, rel: 1e-12)
    expectRelativelyClose(logZ0, 3.400993198785697, rel: 1e-12)
  }

  @Test("a negative slope is clipped to 0; the intercept is not smoothed")
  func negativeSlope() {
    var incomes: [Double] = []
    var rates: [Double] = []
    for k in 0..<40 {
      incomes.append(5.0 + Double(k * 7 % 23) * 3.5 + Double(k) * 0.25)
      rates.append(Double((k * 11) % 17) * 0.05)
    }
    let (elas, logZ0) = SaezEstimator.estimateElasticity(
      incomes: incomes, rates: rates, previous: 0.5, previousLogZ0: 0)
    expectRelativelyClose(elas, 0.49, rel: 1e-15)
    expectRelativelyClose(logZ0, 3.6416178556703027, rel: 1e-12)
  }

  @Test("too few samples or constant rates keep the previous estimate")
  func keepsPrevious() {
    let nine = SaezEstimator.estimateElasticity(
      incomes: (1...9).map(Double.init), rates: (1...9).map { Double($0) / 10 },
      previous: 0.3, previousLogZ0: 2)
    expectRelativelyClose(nine.elasticity, 0.3, rel: 0)
    expectRelativelyClose(nine.logZ0, 2, rel: 0)
    let constant = SaezEstimator.estimateElasticity(
      incomes: (1...50).map(Double.init), rates: Array(repeating: 0.25, count: 50),
      previous: 0.3, previousLogZ0: 2)
    expectRelativelyClose(constant.elasticity, 0.3, rel: 0)
    expectRelativelyClose(constant.logZ0, 2, rel: 0)
  }
}

@Suite("SaezEstimator state")
struct SaezStateTests {
  /// The deterministic samples fed to Foundation's estimator.
  private func samples(_ range: Range<Int>) -> (incomes: [Double], rates: [Double]) {
    (
      range.map { Double(($0 * 37) % 613) * 0.9 - 5.0 },
      range.map { Double(($0 * 13) % 20) * 0.05 }
    )
  }

  private struct Period {
    var rates: [Double]
    var average: [Double]
    var previousElasticity: Double
    var elasticity: Double
    var logZ0: Double
  }

  /// Feeds 250, 250 and 100 samples, asking for rates after each batch, like three periods.
  ///
  /// `rel` bounds the relative error of the rates; the regression itself differs from numpy's
  /// BLAS only in the last bits, which ill-conditioned schedules amplify.
  private func run(_ estimator: inout SaezEstimator, expected: [Period], rel: Double = 1e-12) {
    let brackets = TaxBrackets()
    var rng = EconomyRNG(seed: 11)
    var k = 0
    for (period, size) in [250, 250, 100].enumerated() {
      let batch = samples(k..<(k + size))
      k += size
      estimator.record(incomes: batch.incomes, marginalRates: batch.rates)
      let rates = estimator.nextRates(rateMin: 0, rateMax: 1, brackets: brackets, rng: &rng)
      #expect(estimator.localBuffer.count == min(500, k))
      if period == 0 {
        #expect(!estimator.hasReachedMinimumSamples)
        #expect(rates.allSatisfy { $0 >= 0 && $0 < 1 })
        expectRelativelyClose(estimator.runningAverageRates, Array(repeating: 0, count: 7), rel: 0)
        continue
      }
      #expect(estimator.hasReachedMinimumSamples)
      let want = expected[period - 1]
      expectRelativelyClose(rates, want.rates, rel: rel)
      expectRelativelyClose(estimator.runningAverageRates, want.average, rel: rel)
      expectRelativelyClose(estimator.previousElasticity, want.previousElasticity, rel: 1e-12)
      expectRelativelyClose(estimator.estimatedElasticity, want.previousElasticity, rel: 1e-12)
      expectRelativelyClose(estimator.elasticity, want.elasticity, rel: 1e-12)
      expectRelativelyClose(estimator.logZ0, want.logZ0, rel: 1e-12)
    }
  }

  @Test("estimated elasticity, inverse-income weights")
  func pipelineInverseIncome() {
    var estimator = SaezEstimator(bracketCount: 7)
    run(
      &estimator,
      expected: [
        Period(
          rates: [
            0.9930976739194475, 0.9679375838672207, 0.926108623529685, 0.8557440780533886,
            0.7796267296161931, 0.4744993876762513, 0.06017462660570277,
          ],
          average: [
            0.009930976739194476, 0.009679375838672207, 0.009261086235296851,
            0.008557440780533885, 0.007796267296161931, 0.004744993876762514,
            0.0006017462660570277,
          ],
          previousElasticity: 0.5, elasticity: 0.49102298816631934, logZ0: 5.338357380119245),
        Period(
          rates: [
            0.9936089001723645, 0.9688340979769798, 0.9256197661291847, 0.8575809068860248,
            0.7774787085142204, 0.4784803197512229, 0.06066011411366301,
          ],
          average: [
            0.019767755973526174, 0.019270923060055282, 0.018424673034235728,
            0.017047675441588795, 0.015493091708342515, 0.009482347135507118,
            0.0012023299445330874,
          ],
          previousElasticity: 0.49102298816631934, elasticity: 0.48123197966040054,
          logZ0: 5.3016175804623344),
      ])
  }

  @Test("uniform weights give rates near 0")
  func pipelineUniform() {
    var estimator = SaezEstimator(bracketCount: 7, paretoWeightType: .uniform)
    run(
      &estimator,
      expected: [
        Period(
          rates: [
            2.9529597834975634e-07, 5.1550428819955004e-08, 1.9016726499027584e-08,
            9.665311181043642e-09, 6.310886435245232e-09, 3.4217753591902656e-09,
            1.0602036613215762e-09,
          ],
          average: [
            2.9529597834975636e-09, 5.1550428819955e-10, 1.9016726499027584e-10,
            9.665311181043642e-11, 6.310886435245232e-11, 3.421775359190266e-11,
            1.0602036613215762e-11,
          ],
          previousElasticity: 0.5, elasticity: 0.49102298816631934, logZ0: 5.338357380119245),
        Period(
          rates: [
            3.5607114243178944e-07, 5.1301761054959195e-08, 1.9141081813231246e-08,
            9.851634552117716e-09, 6.280732738256872e-09, 3.5112717956954486e-09,
            1.0723557239364783e-09,
          ],
          average: [
            6.4841416099804825e-09, 1.0233668558671464e-09, 3.7967641047268555e-10,
            1.9420292621350923e-10, 1.2528510309149653e-10, 6.898829401293811e-11,
            2.1219573486448385e-11,
          ],
          previousElasticity: 0.49102298816631934, elasticity: 0.48123197966040054,
          logZ0: 5.3016175804623344),
      ], rel: 1e-9)
  }

  @Test("a fixed elasticity drives the formula while the estimate is still tracked")
  func pipelineFixedElasticity() {
    var estimator = SaezEstimator(bracketCount: 7, fixedElasticity: 0.3)
    run(
      &estimator,
      expected: [
        Period(
          rates: [
            0.9957702281931753, 0.980134661390739, 0.9534508884830715, 0.906371405628566,
            0.8525970750002095, 0.5803874413379966, 0.09485593641943268,
          ],
          average: [
            0.009957702281931753, 0.009801346613907391, 0.009534508884830714,
            0.00906371405628566, 0.008525970750002096, 0.005803874413379966,
            0.0009485593641943269,
          ],
          previousElasticity: 0.5, elasticity: 0.49102298816631934, logZ0: 5.338357380119245),
        Period(
          rates: [
            0.996004252019652, 0.9803216027092714, 0.952209953324851, 0.9059562491405438,
            0.848420825367563, 0.5798979284725444, 0.09386556910661695,
          ],
          average: [
            0.019818167779308955, 0.01950654917486103, 0.01896126332923092,
            0.018032639407128244, 0.016924919296177704, 0.01154481495397161,
            0.0018777294616185531,
          ],
          previousElasticity: 0.49102298816631934, elasticity: 0.48123197966040054,
          logZ0: 5.3016175804623344),
      ])
  }

  @Test("random rates before 500 samples use [rateMin, rateMax) and the RNG")
  func randomPhase() {
    var estimator = SaezEstimator(bracketCount: 7)
    var rng = EconomyRNG(seed: 3)
    var expectedRNG = EconomyRNG(seed: 3)
    let rates = estimator.nextRates(
      rateMin: 0.1, rateMax: 0.4, brackets: TaxBrackets(), rng: &rng)
    expectRelativelyClose(rates, (0..<7).map { _ in expectedRNG.uniform(0.1, 0.4) }, rel: 0)
    #expect(rng == expectedRNG)
    #expect(!estimator.hasReachedMinimumSamples)
  }

  @Test("buffer capacity, global buffer and the additions counter")
  func buffers() {
    var estimator = SaezEstimator(bracketCount: 7)
    let batch = samples(0..<300)
    estimator.record(incomes: batch.incomes, marginalRates: batch.rates)
    estimator.record(incomes: batch.incomes, marginalRates: batch.rates)
    #expect(estimator.localBuffer.count == 500)
    #expect(estimator.additions == 600)
    expectRelativelyClose(estimator.localBuffer[0].income, batch.incomes[100], rel: 0)
    #expect(estimator.samples == estimator.localBuffer)

    let global = (0..<800).map { SaezEstimator.Sample(income: Double($0), marginalRate: 0.1) }
    estimator.setGlobalBuffer(global)
    // Foundation appends the last `additions` local samples, and `additions` is never cleared
    // by a sync, so the whole local buffer is appended again.
    #expect(estimator.samples.count == 1300)
    #expect(Array(estimator.samples.suffix(500)) == estimator.localBuffer)

    estimator.resetBuffers()
    #expect(estimator.samples.isEmpty)
    #expect(estimator.additions == 0)
    estimator.setGlobalBuffer(global)
    #expect(estimator.samples == global)
  }
}
