package io.latentqa.dataset.record;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import io.latentqa.core.grammar.Grammar;

class LabelsTest {

    @Test
    void labelsSplitIntoKindCategoryAndWords() {
        assertEquals("persona", Labels.kindOf("persona-job-lighthouse-keeper"));
        assertEquals("job", Labels.categoryOf("persona-job-lighthouse-keeper"));
        assertEquals("lighthouse keeper", Labels.wordsOf("persona-job-lighthouse-keeper"));
        assertEquals("an emancipated foster youth", Grammar.withArticle(Labels.wordsOf("persona-stage-emancipated-foster-youth")));
        assertEquals("story", Labels.kindOf("story"));
    }

    @Test
    void likePrefixMatchesWildcardsLiterally() {
        assertEquals("a\\_b\\%c%", Labels.likePrefix("a_b%c"));
    }
}
