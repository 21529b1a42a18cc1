// Fixed-size float storage for activations and gradients, allocated once.

import Basics

/// A zero-initialized block of floats that never grows or moves (Basics' ``FixedBuffer``).
///
/// Layers and models keep their activations here so that the forward and backward loops never
/// allocate. Not thread-safe: one buffer belongs to one worker at a time.
public typealias FloatBuffer = FixedBuffer<Float>
