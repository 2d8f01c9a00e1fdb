"""Adam for embedding tables that updates only the rows a batch uses ("lazy" Adam), in Keras 3.

Keras' Adam turns an embedding's sparse gradient (``tf.IndexedSlices``) into a dense one and updates every row of
the table, and both its moments, on every step: at MovieLens 25M (162k users, 59k movies) that is most of a
step's time. Here a sparse gradient updates the moments and the weights of its rows only, as
TensorFlow Addons' ``LazyAdam`` did; dense gradients take Keras' ordinary Adam step. Rows a batch does not use
keep their moments unchanged, so their next step is not decayed: that is the usual lazy approximation.

Imported by the model modules only (TensorFlow: workers, never web processes).
"""
import functools


@functools.cache
def lazy_adam_class():
    """The optimizer class (defined on first use, so importing this module does not import TensorFlow)."""
    import keras
    import tensorflow as tf

    class LazyAdam(keras.optimizers.Adam):
        """``keras.optimizers.Adam`` whose sparse updates touch only the gradient's rows."""

        def update_step(self, gradient, variable, learning_rate):
            if not isinstance(gradient, tf.IndexedSlices):
                return super().update_step(gradient, variable, learning_rate)
            rows, position = tf.unique(gradient.indices)
            values = tf.math.unsorted_segment_sum(gradient.values, position, tf.size(rows))
            dtype = variable.dtype
            step = tf.cast(self.iterations + 1, dtype)
            alpha = (tf.cast(learning_rate, dtype) * tf.sqrt(1 - tf.pow(tf.cast(self.beta_2, dtype), step))
                     / (1 - tf.pow(tf.cast(self.beta_1, dtype), step)))
            index = self._get_variable_index(variable)
            m, v = self._momentums[index], self._velocities[index]
            # Sparse reads of the variables themselves: a dense read still alive at the update below would make
            # TensorFlow copy the whole table first.
            m_rows = self.beta_1 * tf.gather(m.value, rows) + (1 - self.beta_1) * values
            v_rows = self.beta_2 * tf.gather(v.value, rows) + (1 - self.beta_2) * tf.square(values)
            self.assign(m, tf.IndexedSlices(m_rows, rows))
            self.assign(v, tf.IndexedSlices(v_rows, rows))
            self.assign_sub(variable, tf.IndexedSlices(alpha * m_rows / (tf.sqrt(v_rows) + self.epsilon), rows))

    return LazyAdam
