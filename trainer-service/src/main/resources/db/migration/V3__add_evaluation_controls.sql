-- Multiple choice of the controls next to the decoder's (issue 6): the untrained model with the same
-- activations and the decoder shown another record's activations (PMI-normalised), and the decoder with no
-- activations (raw; its PMI is 0 by definition).
ALTER TABLE evaluations
    ADD COLUMN mc_untrained_normalised  double precision,
    ADD COLUMN mc_shuffled_normalised   double precision,
    ADD COLUMN mc_no_activations        double precision;
