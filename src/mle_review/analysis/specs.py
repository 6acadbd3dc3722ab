"""What library calls do to data, as a table.

The dataflow engine never branches on a library name; it looks the call up
here. A row says whether a class learns state from the data it is fit on
(and how strongly that matters), whether it composes other estimators, how a
splitter splits, and what a function does to rows (loads, splits, combines,
resamples, evaluates, computes a statistic). Supporting another library is
adding rows.

Names are matched by their last dotted component together with the root
package they were imported from (``sklearn.preprocessing.StandardScaler`` ->
``("sklearn", "StandardScaler")``), so sub-module moves between library
versions do not matter.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Protocol, TypeVar


class Cat(str, Enum):
    """Category of a class: what its ``fit`` means for leakage."""

    TRANSFORMER = (
        "transformer"  # learns statistics of X (scaler, imputer, PCA, selector, vectorizer)
    )
    ENCODER = "encoder"  # learns category sets only (one-hot, ordinal): weaker evidence
    TARGET_ENCODER = "target_encoder"  # learns per-category target statistics
    STATELESS = "stateless"  # fit learns nothing that depends on the rows
    MODEL = "model"  # predicts; fitting on evaluation rows is overlap
    RESAMPLER = "resampler"  # changes the rows themselves
    SEARCH = "search"  # wraps an estimator with internal cross-validation
    PIPELINE = "pipeline"  # composes steps; category of its last step
    SPLITTER = "splitter"  # CV / shuffle splitters with a split() method
    CALLBACK_STOP = "early_stopping"  # picks the best epoch/iteration on monitored data
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ClassSpec:
    cat: Cat
    what: str  # noun for messages: "scaler", "imputer", "model"
    libs: tuple[str, ...]
    weak: bool = False  # a leak through it is real but small: report with medium confidence
    duplicative: bool = False  # resamplers that copy or synthesise rows
    shuffle: str = "never"  # splitters: "always", "kwarg" (shuffle=True), "never"
    grouped: bool = False  # splitters that keep groups together
    time_series: bool = False  # splitters that respect time order
    data_in_ctor: bool = False  # statsmodels style: OLS(y, X).fit()
    # encodes feature columns only when its output is written into a frame column; on a
    # plain variable it is the usual encoding of the target (LabelEncoder)
    column_only: bool = False


SK = ("sklearn",)
_IMB = ("imblearn",)
_CE = ("category_encoders",)
_KERAS = ("keras", "tensorflow", "tf_keras")
_SM = ("statsmodels",)


def _rows(
    cat: Cat, what: str, libs: tuple[str, ...], names: str, **kw: object
) -> list[tuple[str, ClassSpec]]:
    spec = ClassSpec(cat, what, libs, **kw)  # type: ignore[arg-type]
    return [(n, spec) for n in names.split()]


_T = TypeVar("_T")


def word_set(text: str) -> frozenset[str]:
    """A set of names written as one space-separated string (tables stay readable)."""
    return frozenset(text.split())


def _index(rows: list[tuple[str, _T]]) -> dict[str, tuple[_T, ...]]:
    """Short name -> every row with that name (``OneHotEncoder`` exists in two libraries)."""
    out: dict[str, tuple[_T, ...]] = {}
    for name, spec in rows:
        out[name] = (*out.get(name, ()), spec)
    return out


CLASSES: dict[str, tuple[ClassSpec, ...]] = _index(
    [
        # --- scikit-learn transformers that learn statistics of X -------------------------------
        *_rows(
            Cat.TRANSFORMER, "scaler", SK, "StandardScaler MinMaxScaler RobustScaler MaxAbsScaler"
        ),
        *_rows(
            Cat.TRANSFORMER,
            "transformer",
            SK,
            "QuantileTransformer PowerTransformer KBinsDiscretizer SplineTransformer",
        ),
        *_rows(
            Cat.TRANSFORMER,
            "imputer",
            SK,
            "SimpleImputer KNNImputer IterativeImputer MissingIndicator",
        ),
        *_rows(Cat.TRANSFORMER, "vectorizer", SK, "TfidfVectorizer TfidfTransformer"),
        *_rows(Cat.TRANSFORMER, "vectorizer", SK, "CountVectorizer DictVectorizer", weak=True),
        *_rows(
            Cat.TRANSFORMER,
            "decomposition",
            SK,
            "PCA IncrementalPCA KernelPCA SparsePCA TruncatedSVD NMF FastICA FactorAnalysis "
            "LatentDirichletAllocation DictionaryLearning MiniBatchNMF",
        ),
        *_rows(
            Cat.TRANSFORMER,
            "embedding",
            SK,
            "TSNE Isomap LocallyLinearEmbedding MDS SpectralEmbedding",
        ),
        *_rows(Cat.TRANSFORMER, "embedding", ("umap",), "UMAP"),
        *_rows(
            Cat.TRANSFORMER,
            "feature selector",
            SK,
            "SelectKBest SelectPercentile SelectFpr SelectFdr SelectFwe GenericUnivariateSelect RFE RFECV "
            "SelectFromModel SequentialFeatureSelector",
        ),
        *_rows(Cat.TRANSFORMER, "feature selector", SK, "VarianceThreshold", weak=True),
        *_rows(
            Cat.TRANSFORMER,
            "projection",
            SK,
            "GaussianRandomProjection SparseRandomProjection",
            weak=True,
        ),
        *_rows(
            Cat.TRANSFORMER,
            "clusterer",
            SK,
            "KMeans MiniBatchKMeans GaussianMixture Birch",
            weak=True,
        ),
        *_rows(Cat.TRANSFORMER, "transformer", SK, "ColumnTransformer FeatureUnion"),
        *_rows(
            Cat.ENCODER,
            "encoder",
            SK,
            "OneHotEncoder OrdinalEncoder MultiLabelBinarizer LabelBinarizer",
        ),
        *_rows(Cat.TARGET_ENCODER, "target encoder", SK, "TargetEncoder"),
        *_rows(
            Cat.STATELESS,
            "transformer",
            SK,
            "Normalizer Binarizer FunctionTransformer PolynomialFeatures HashingVectorizer",
        ),
        *_rows(Cat.ENCODER, "encoder", SK, "LabelEncoder", column_only=True),
        # --- category_encoders --------------------------------------------------------------------------
        *_rows(
            Cat.TARGET_ENCODER,
            "target encoder",
            _CE,
            "TargetEncoder MEstimateEncoder CatBoostEncoder WOEEncoder JamesSteinEncoder LeaveOneOutEncoder "
            "GLMMEncoder QuantileEncoder SummaryEncoder",
        ),
        *_rows(Cat.TRANSFORMER, "encoder", _CE, "CountEncoder", weak=True),
        *_rows(
            Cat.ENCODER,
            "encoder",
            _CE,
            "OneHotEncoder OrdinalEncoder BinaryEncoder BaseNEncoder HashingEncoder HelmertEncoder SumEncoder "
            "BackwardDifferenceEncoder PolynomialEncoder",
        ),
        # --- feature_engine / keras preprocessing -----------------------------------------------------
        *_rows(
            Cat.TRANSFORMER,
            "imputer",
            ("feature_engine",),
            "MeanMedianImputer ArbitraryNumberImputer CategoricalImputer EndTailImputer",
        ),
        *_rows(Cat.TARGET_ENCODER, "target encoder", ("feature_engine",), "MeanEncoder WoEEncoder"),
        *_rows(Cat.TRANSFORMER, "tokenizer", _KERAS, "Tokenizer TextVectorization", weak=True),
        *_rows(Cat.TRANSFORMER, "normalization layer", _KERAS, "Normalization Discretization"),
        # --- resamplers -------------------------------------------------------------------------------
        *_rows(
            Cat.RESAMPLER,
            "oversampler",
            _IMB,
            "SMOTE ADASYN BorderlineSMOTE SVMSMOTE KMeansSMOTE SMOTENC SMOTEN RandomOverSampler SMOTEENN SMOTETomek",
            duplicative=True,
        ),
        *_rows(
            Cat.RESAMPLER,
            "undersampler",
            _IMB,
            "RandomUnderSampler NearMiss TomekLinks EditedNearestNeighbours RepeatedEditedNearestNeighbours "
            "AllKNN CondensedNearestNeighbour OneSidedSelection NeighbourhoodCleaningRule ClusterCentroids InstanceHardnessThreshold",
        ),
        # --- composition ------------------------------------------------------------------------------
        *_rows(Cat.PIPELINE, "pipeline", SK + _IMB, "Pipeline"),
        *_rows(
            Cat.SEARCH,
            "search",
            SK,
            "GridSearchCV RandomizedSearchCV HalvingGridSearchCV HalvingRandomSearchCV",
        ),
        *_rows(Cat.SEARCH, "search", ("skopt",), "BayesSearchCV"),
        *_rows(Cat.SEARCH, "search", ("optuna",), "OptunaSearchCV"),
        *_rows(
            Cat.MODEL,
            "model",
            SK,
            "TransformedTargetRegressor VotingClassifier VotingRegressor StackingClassifier StackingRegressor BaggingClassifier BaggingRegressor CalibratedClassifierCV OneVsRestClassifier MultiOutputClassifier MultiOutputRegressor",
        ),
        # --- splitters ---------------------------------------------------------------------------------
        *_rows(Cat.SPLITTER, "splitter", SK, "KFold StratifiedKFold", shuffle="kwarg"),
        *_rows(
            Cat.SPLITTER,
            "splitter",
            SK,
            "RepeatedKFold RepeatedStratifiedKFold ShuffleSplit StratifiedShuffleSplit",
            shuffle="always",
        ),
        *_rows(Cat.SPLITTER, "splitter", SK, "LeaveOneOut LeavePOut PredefinedSplit"),
        *_rows(
            Cat.SPLITTER,
            "splitter",
            SK,
            "GroupKFold LeaveOneGroupOut LeavePGroupsOut",
            grouped=True,
        ),
        *_rows(Cat.SPLITTER, "splitter", SK, "GroupShuffleSplit", grouped=True, shuffle="always"),
        *_rows(Cat.SPLITTER, "splitter", SK, "StratifiedGroupKFold", grouped=True, shuffle="kwarg"),
        *_rows(Cat.SPLITTER, "splitter", SK, "TimeSeriesSplit", time_series=True),
        *_rows(
            Cat.SPLITTER,
            "splitter",
            ("sktime", "mlxtend"),
            "ExpandingWindowSplitter SlidingWindowSplitter",
            time_series=True,
        ),
        # --- early stopping / best-checkpoint callbacks ----------------------------------------------------
        *_rows(Cat.CALLBACK_STOP, "early stopping", _KERAS, "EarlyStopping"),
        *_rows(
            Cat.CALLBACK_STOP, "early stopping", ("pytorch_lightning", "lightning"), "EarlyStopping"
        ),
        *_rows(Cat.CALLBACK_STOP, "early stopping", ("transformers",), "EarlyStoppingCallback"),
        # --- statsmodels: data goes into the constructor ----------------------------------------------
        *_rows(
            Cat.MODEL,
            "model",
            _SM,
            "OLS WLS GLS GLM Logit Probit MNLogit Poisson QuantReg RLM ARIMA SARIMAX ExponentialSmoothing",
            data_in_ctor=True,
        ),
        *_rows(
            Cat.MODEL,
            "model",
            _SM,
            "ols wls glm logit probit poisson quantreg mixedlm",
            data_in_ctor=True,
        ),
        # --- keras/torch models built from layers --------------------------------------------------------
        *_rows(Cat.MODEL, "network", _KERAS, "Sequential Model"),
        *_rows(Cat.MODEL, "network", ("torch",), "Sequential Linear MLP"),
        *_rows(Cat.MODEL, "model", ("prophet", "fbprophet"), "Prophet"),
        *_rows(
            Cat.MODEL,
            "trainer",
            ("transformers", "trl", "setfit"),
            "Trainer Seq2SeqTrainer SFTTrainer",
            data_in_ctor=True,
        ),
    ]
)

# Estimators are too many to list; any class under these packages whose name
# ends like a predictor is a model. Transformer modules make the rest.
MODEL_SUFFIXES = (
    "Classifier",
    "Regressor",
    "Regression",
    "Regressor",
    "SVC",
    "SVR",
    "NB",
    "Booster",
    "Lasso",
    "LassoCV",
    "Ridge",
    "RidgeCV",
    "ElasticNet",
    "ElasticNetCV",
    "LassoLars",
    "Lars",
    "Perceptron",
    "Model",
    "Forest",
    "Trees",
    "KNN",
    "LinearSVC",
    "NuSVC",
    "NuSVR",
    "OneClassSVM",
    "IsolationForest",
    "LocalOutlierFactor",
    "Ranker",
    "RegressionCV",
    "LarsCV",
    "NetCV",
    "LarsIC",
    "DiscriminantAnalysis",
    "Boost",
    "GBM",
    "Net",
    "Estimator",
)
MODEL_PACKAGES = (
    "sklearn",
    "xgboost",
    "lightgbm",
    "catboost",
    "imblearn",
    "ngboost",
    "interpret",
    "pygam",
    "tabpfn",
    "cuml",
    "keras",
    "tensorflow",
    "tf_keras",
)
TRANSFORMER_MODULES = (
    "sklearn.preprocessing",
    "sklearn.decomposition",
    "sklearn.feature_selection",
    "sklearn.impute",
    "sklearn.feature_extraction",
    "sklearn.manifold",
    "sklearn.random_projection",
    "category_encoders",
    "feature_engine",
)


class Fn(str, Enum):
    """What a module-level function does to its data arguments."""

    LOAD = "load"  # returns new rows from outside (file, SQL, dataset hub)
    LOAD_SPLIT = "load_split"  # returns a predefined ((x_train, y_train), (x_test, y_test))
    CONSTRUCT = "construct"  # wraps its argument rows (DataFrame(x), np.array(x), TensorDataset)
    SPLIT = "split"  # train_test_split-like: returns (a_train, a_test, b_train, b_test, ...)
    RANDOM_SPLIT = "random_split"  # torch random_split(ds, lengths) -> parts
    CONCAT = "concat"  # row concatenation (axis 0 unless axis=1)
    HSTACK = "hstack"  # column concatenation: same rows
    MERGE = "merge"  # pd.merge(left, right, on=...)
    MERGE_ASOF = "merge_asof"
    RESAMPLE = "resample"  # sklearn.utils.resample: bootstrap (duplicates rows by default)
    SHUFFLE = "shuffle"  # returns the same rows in random order
    CV_EVAL = "cv_eval"  # cross_val_score(est, X, y, cv=...)
    CV_PREDICT = "cv_predict"
    METRIC = "metric"  # scores y_true vs y_pred
    CURVE = "curve"  # metric over every threshold (roc_curve): a choice waiting to happen
    STATISTIC = "statistic"  # np.mean(x) and friends
    QUANTILE_BIN = "quantile_bin"  # pd.qcut: bins from quantiles of the data
    SCALE_FN = "scale_fn"  # sklearn.preprocessing.scale(X): a scaler fit and applied in one call
    TO_DATETIME = "to_datetime"
    ROWWISE = "rowwise"  # stateless elementwise: np.log(x), np.where(...)
    SINK = "sink"  # print/plot/log: consumes, returns nothing to follow
    CHOICE = "choice"  # np.argmax/argmin: picks among candidates
    PIPELINE_FACTORY = "pipeline_factory"  # make_pipeline(*steps)
    COLUMN_TRANSFORMER_FACTORY = "column_transformer_factory"
    TRAIN_FN = "train_fn"  # xgb.train(params, dtrain, evals=...), lgb.train(...)
    CLONE = "clone"


@dataclass(frozen=True)
class FnSpec:
    kind: Fn
    libs: tuple[str, ...]
    what: str = ""


def _fns(kind: Fn, libs: tuple[str, ...], names: str, what: str = "") -> list[tuple[str, FnSpec]]:
    spec = FnSpec(kind, libs, what)
    return [(n, spec) for n in names.split()]


_PD = ("pandas", "modin", "polars", "dask")
_NP = ("numpy",)
_TORCH = ("torch", "torchvision", "torchtext", "torchaudio")

FUNCTIONS: dict[str, tuple[FnSpec, ...]] = _index(
    [
        *_fns(
            Fn.LOAD,
            _PD,
            "read_csv read_parquet read_excel read_json read_sql read_sql_query read_sql_table read_table read_feather read_pickle read_hdf read_orc read_fwf read_stata read_sas read_spss scan_csv scan_parquet",
        ),
        *_fns(Fn.LOAD, _NP, "load loadtxt genfromtxt fromfile"),
        *_fns(Fn.LOAD, ("datasets",), "load_dataset load_from_disk"),
        *_fns(
            Fn.LOAD,
            ("tensorflow", "keras", "tf_keras"),
            "image_dataset_from_directory text_dataset_from_directory timeseries_dataset_from_array",
        ),
        *_fns(Fn.CONSTRUCT, _PD, "DataFrame Series from_dict from_records get_dummies to_numeric"),
        *_fns(
            Fn.CONSTRUCT,
            _NP,
            "array asarray asanyarray ascontiguousarray float32 float64 stack squeeze reshape nan_to_num",
        ),
        *_fns(
            Fn.CONSTRUCT,
            _TORCH,
            "tensor as_tensor from_numpy Tensor FloatTensor LongTensor TensorDataset DataLoader Subset",
        ),
        *_fns(Fn.CONSTRUCT, ("tensorflow",), "convert_to_tensor constant from_tensor_slices"),
        *_fns(Fn.CONSTRUCT, ("xgboost",), "DMatrix DeviceQuantileDMatrix QuantileDMatrix"),
        *_fns(Fn.CONSTRUCT, ("lightgbm",), "Dataset"),
        *_fns(Fn.CONSTRUCT, ("catboost",), "Pool"),
        *_fns(Fn.CONSTRUCT, SK, "check_array"),
        *_fns(Fn.SPLIT, SK, "train_test_split"),
        *_fns(Fn.RANDOM_SPLIT, _TORCH, "random_split"),
        *_fns(Fn.CONCAT, _PD, "concat"),
        *_fns(Fn.CONCAT, _NP, "concatenate vstack row_stack append"),
        *_fns(Fn.CONCAT, _TORCH, "cat ConcatDataset"),
        *_fns(Fn.HSTACK, _NP, "hstack column_stack c_ dstack"),
        *_fns(Fn.MERGE, _PD, "merge"),
        *_fns(Fn.MERGE_ASOF, _PD, "merge_asof"),
        *_fns(Fn.RESAMPLE, SK, "resample"),
        *_fns(Fn.SHUFFLE, SK, "shuffle"),
        *_fns(Fn.SHUFFLE, _NP, "permutation"),
        *_fns(
            Fn.CV_EVAL,
            SK,
            "cross_val_score cross_validate learning_curve validation_curve permutation_test_score",
        ),
        *_fns(Fn.CV_PREDICT, SK, "cross_val_predict"),
        *_fns(
            Fn.METRIC,
            SK,
            "accuracy_score balanced_accuracy_score f1_score fbeta_score precision_score recall_score roc_auc_score "
            "average_precision_score log_loss brier_score_loss matthews_corrcoef cohen_kappa_score jaccard_score "
            "hamming_loss zero_one_loss classification_report confusion_matrix multilabel_confusion_matrix "
            "mean_squared_error mean_absolute_error root_mean_squared_error mean_absolute_percentage_error "
            "median_absolute_error r2_score explained_variance_score max_error mean_squared_log_error "
            "mean_pinball_loss d2_absolute_error_score top_k_accuracy_score ndcg_score hinge_loss "
            "precision_recall_fscore_support",
        ),
        *_fns(Fn.CURVE, SK, "roc_curve precision_recall_curve det_curve"),
        *_fns(
            Fn.STATISTIC,
            _NP,
            "mean median std var nanmean nanmedian nanstd nanvar average percentile quantile nanpercentile "
            "nanquantile amax amin max min nanmax nanmin ptp",
        ),
        *_fns(Fn.QUANTILE_BIN, _PD, "qcut"),
        *_fns(
            Fn.SCALE_FN,
            SK,
            "scale minmax_scale robust_scale maxabs_scale quantile_transform power_transform",
        ),
        *_fns(Fn.TO_DATETIME, _PD, "to_datetime DatetimeIndex date_range"),
        *_fns(
            Fn.ROWWISE,
            _NP,
            "log log1p log2 log10 exp expm1 sqrt square abs absolute clip where sign round floor ceil isnan "
            "isfinite nan_to_num tanh sin cos power minimum maximum diff gradient cumsum cumprod convolve",
        ),
        *_fns(Fn.CHOICE, _NP, "argmax argmin nanargmax nanargmin argsort"),
        *_fns(Fn.PIPELINE_FACTORY, SK + _IMB, "make_pipeline"),
        *_fns(Fn.COLUMN_TRANSFORMER_FACTORY, SK, "make_column_transformer make_union"),
        *_fns(Fn.TRAIN_FN, ("xgboost", "lightgbm", "catboost"), "train cv"),
        *_fns(Fn.CLONE, SK, "clone"),
    ]
)

# Whole libraries whose calls only display or record values.
SINK_LIBS = (
    "matplotlib",
    "seaborn",
    "plotly",
    "logging",
    "mlflow",
    "wandb",
    "IPython",
    "tqdm",
    "json",
    "pprint",
    "yellowbrick",
    "shap",
    "scikitplot",
)

# Dataset loaders by prefix (sklearn.datasets.load_iris, fetch_openml, make_classification).
LOAD_PREFIXES: dict[str, tuple[str, ...]] = {
    "sklearn": ("load_", "fetch_", "make_"),
    "imblearn": ("make_imbalance",),
    "torchvision": ("",),
    "seaborn": ("load_dataset",),
}
LOAD_SPLIT_MODULES = ("keras.datasets", "tensorflow.keras.datasets", "tf_keras.datasets")


class Meth(str, Enum):
    """What a method called on a fitted-state object does."""

    FIT = "fit"
    FIT_APPLY = "fit_apply"  # fit_transform
    FIT_PREDICT = "fit_predict"
    FIT_RESAMPLE = "fit_resample"
    APPLY = "apply"  # transform: uses fitted state, returns same rows
    PREDICT = "predict"
    SCORE = "score"  # evaluates on the given rows
    SPLIT = "split"


OBJECT_METHODS: dict[str, Meth] = {
    "fit": Meth.FIT,
    "partial_fit": Meth.FIT,
    "fit_on_texts": Meth.FIT,
    "adapt": Meth.FIT,
    "fit_generator": Meth.FIT,
    "train": Meth.FIT,
    "train_on_batch": Meth.FIT,
    "fit_transform": Meth.FIT_APPLY,
    "fit_predict": Meth.FIT_PREDICT,
    "fit_resample": Meth.FIT_RESAMPLE,
    "fit_sample": Meth.FIT_RESAMPLE,
    "transform": Meth.APPLY,
    "inverse_transform": Meth.APPLY,
    "texts_to_sequences": Meth.APPLY,
    "texts_to_matrix": Meth.APPLY,
    "sequences_to_matrix": Meth.APPLY,
    "predict": Meth.PREDICT,
    "predict_proba": Meth.PREDICT,
    "predict_log_proba": Meth.PREDICT,
    "decision_function": Meth.PREDICT,
    "staged_predict": Meth.PREDICT,
    "staged_predict_proba": Meth.PREDICT,
    "predict_on_batch": Meth.PREDICT,
    "forecast": Meth.PREDICT,
    "get_prediction": Meth.PREDICT,
    "score": Meth.SCORE,
    "evaluate": Meth.SCORE,
    "score_samples": Meth.PREDICT,
    "split": Meth.SPLIT,
}

# pandas/numpy methods on data.
STAT_METHODS = word_set("mean median std var min max mode quantile sem mad nanmean")
GROUP_AGG_METHODS = word_set("mean median std var min max sum agg aggregate prod sem quantile")
GROUP_NEUTRAL_METHODS = word_set("size count nunique first last nth cumcount ngroup head tail rank")
SERIES_OPS = word_set("shift rolling diff pct_change expanding ewm cumsum cumprod cummax cummin")
NON_ROW_METHODS = word_set(
    "describe value_counts corr cov info nunique count sum prod any all to_csv to_parquet to_excel "
    "to_json to_sql to_pickle plot hist boxplot memory_usage keys items iteritems iterrows itertuples "
    "isnull_sum tolist_len"
)
NON_ROW_ATTRS = word_set("columns shape dtypes dtype size ndim name names nbytes empty")
ROW_FILTERS = word_set("dropna drop_duplicates query head tail nlargest nsmallest filter")
CHOICE_METHODS = word_set("idxmax idxmin argmax argmin nlargest nsmallest sort_values sort idxbest")
SINK_BUILTINS = word_set(
    "print display repr isinstance type id hasattr getattr setattr issubclass callable format"
)
PASS_BUILTINS = word_set(
    "float int round abs list tuple set sum str dict iter next reversed np_float bool"
)
CHOICE_BUILTINS = word_set("max min sorted")
EARLY_STOP_KWARGS = ("early_stopping_rounds", "early_stopping", "n_iter_no_change")


class _HasLibs(Protocol):
    @property
    def libs(self) -> tuple[str, ...]: ...


_S = TypeVar("_S", bound=_HasLibs)


def _match(rows: tuple[_S, ...], root: str) -> _S | None:
    for spec in rows:
        if root in spec.libs:
            return spec
    return None


@lru_cache(maxsize=2048)
def class_spec(qualname: str) -> ClassSpec | None:
    """The row for an imported class (``sklearn.preprocessing.StandardScaler``), else None.

    Unlisted classes still get a row when their package and name say what
    they are: predictors by name suffix, anything else from a transformer
    module as a (weak) transformer.
    """
    root = qualname.partition(".")[0]
    last = qualname.rsplit(".", 1)[-1]
    found = _match(CLASSES.get(last, ()), root)
    if found is not None:
        return found
    if root in MODEL_PACKAGES and last[:1].isupper() and last.endswith(MODEL_SUFFIXES):
        return _GENERIC_MODEL
    if qualname.startswith(TRANSFORMER_MODULES) and last[:1].isupper():
        return _GENERIC_TRANSFORMER
    return None


_GENERIC_MODEL = ClassSpec(Cat.MODEL, "model", MODEL_PACKAGES)
_GENERIC_TRANSFORMER = ClassSpec(Cat.TRANSFORMER, "transformer", ("sklearn",), weak=True)


@lru_cache(maxsize=2048)
def function_spec(qualname: str) -> FnSpec | None:
    """The row for an imported function (``pandas.read_csv``, ``numpy.mean``), else None."""
    root = qualname.partition(".")[0]
    last = qualname.rsplit(".", 1)[-1]
    found = _match(FUNCTIONS.get(last, ()), root)
    if found is not None:
        return found
    if qualname.startswith(LOAD_SPLIT_MODULES) and last == "load_data":
        return _LOAD_SPLIT
    for prefix in LOAD_PREFIXES.get(root, ()):
        if last.startswith(prefix) and (".datasets." in qualname or root == "seaborn"):
            return _LOAD
    if root in SINK_LIBS:
        return _SINK
    return None


_LOAD = FnSpec(Fn.LOAD, ())
_LOAD_SPLIT = FnSpec(Fn.LOAD_SPLIT, ())
_SINK = FnSpec(Fn.SINK, ())
